// Interval strings of the per-backup settings (spec 03 §3.3, §4.1): "1D", "12h", "1D2h30m", "2W", or
// bare digits meaning seconds. All calendar arithmetic is UTC so results never depend on the host TZ.

export type IntervalUnit = 's' | 'm' | 'h' | 'D' | 'W' | 'M' | 'Y';
export type IntervalToken = { value: number; unit: IntervalUnit };

const UNIT_CHARS = 'smhDWMY';
// Nominal seconds per unit; months count as 30 days and years as 365 (§4.1).
const SECONDS: Record<IntervalUnit, number> = { s: 1, m: 60, h: 3600, D: 86400, W: 7 * 86400, M: 30 * 86400, Y: 365 * 86400 };

// Stored settings are JSON, so guard against a non-string sneaking in.
function clean(text: unknown): string {
  return typeof text === 'string' ? text.trim() : '';
}

/**
 * Tolerant parser used for scheduling: stray characters between tokens are skipped, as the reference
 * does. Throws when nothing usable is left or a token is zero (a zero step could never advance a schedule).
 */
export function parseInterval(text: string): IntervalToken[] {
  const s = clean(text);
  if (/^\d+$/.test(s)) {
    const value = Number(s);
    if (value > 0) return [{ value, unit: 's' }];
    throw new Error(`Invalid interval "${text}": value must be greater than 0`);
  }
  const tokens: IntervalToken[] = [];
  for (const [, digits, unit] of s.matchAll(/(\d+)([smhDWMY])/g)) {
    const value = Number(digits);
    if (!(value > 0)) throw new Error(`Invalid interval "${text}": value must be greater than 0`);
    tokens.push({ value, unit: unit as IntervalUnit });
  }
  if (tokens.length === 0) throw new Error(`Invalid interval "${text}": expected a format like "1D2h30m"`);
  return tokens;
}

/**
 * Strict check (used before overdue alerts and by the UI): the whole string must be digits only, or a
 * sequence of <positive integer><unit> tokens. The error names the first character that breaks the grammar.
 */
export function validateInterval(text: string): { valid: true } | { valid: false; error: string } {
  const invalid = (error: string) => ({ valid: false as const, error });
  const s = clean(text);
  if (s === '') return invalid('Interval cannot be empty');
  if (/^\d+$/.test(s)) return Number(s) > 0 ? { valid: true } : invalid('Interval must be greater than 0');

  const bad = /[^0-9smhDWMY]/.exec(s);
  if (bad) {
    return invalid(`Invalid character '${bad[0]}'. Only digits and units (s, m, h, D, W, M, Y) are allowed.`);
  }
  const token = /(\d+)([smhDWMY])/y;
  while (token.lastIndex < s.length) {
    const at = token.lastIndex;
    const m = token.exec(s);
    if (!m) {
      // Only digits and unit letters remain, so the break is a unit without a number or digits without a unit.
      return UNIT_CHARS.includes(s[at]!)
        ? invalid(`Unit '${s[at]}' at position ${at + 1} must follow a number`)
        : invalid(`Number '${s.slice(at)}' at the end has no unit`);
    }
    if (!(Number(m[1]) > 0)) return invalid(`Value must be greater than 0 in '${m[0]}'`);
  }
  return { valid: true };
}

/** Adds the tokens in the order written; D/W/M/Y are UTC calendar steps with setUTCMonth overflow. */
export function addInterval(date: Date, tokens: IntervalToken[]): Date {
  const d = new Date(date.getTime());
  for (const { value, unit } of tokens) {
    switch (unit) {
      case 's': d.setTime(d.getTime() + value * 1000); break;
      case 'm': d.setTime(d.getTime() + value * 60_000); break;
      case 'h': d.setTime(d.getTime() + value * 3_600_000); break;
      case 'D': d.setUTCDate(d.getUTCDate() + value); break;
      case 'W': d.setUTCDate(d.getUTCDate() + 7 * value); break;
      case 'M': d.setUTCMonth(d.getUTCMonth() + value); break;
      case 'Y': d.setUTCFullYear(d.getUTCFullYear() + value); break;
    }
  }
  return d;
}

/** Nominal length (M = 30 days, Y = 365), only used to choose the weekday-skipping strategy. */
export function intervalLengthDays(tokens: IntervalToken[]): number {
  return tokens.reduce((sum, { value, unit }) => sum + value * SECONDS[unit], 0) / 86400;
}
