// Duplicati date text → the one stored shape, `toISOString()` (01 §0): UTC, exactly 3 ms digits.
// Parsed by hand so that 7-digit fractions are truncated (never rounded) and nothing depends on
// V8's lenient Date parser.

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const COMPACT_UTC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const YEAR_10000 = Date.UTC(10000, 0, 1);

/**
 * Epoch ms of a calendar date and wall-clock time read as UTC, or null when a field is out of
 * range or the date does not exist (31/02). Years before 1900 are .NET's "unset" 0001-01-01.
 */
export function utcFromParts(
  year: number, month: number, day: number, hour: number, minute: number, second: number, ms = 0,
): number | null {
  if (year < 1900 || year > 9999 || hour > 23 || minute > 59 || second > 59) return null;
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const d = new Date(t);
  // Date.UTC silently rolls 31/02 over into March; a changed day or month means it was invalid.
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return t;
}

/** Minutes east of UTC for "Z", "+01:00", "-0500" or "+05". */
function offsetMinutes(zone: string | undefined): number {
  if (!zone || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0));
}

/**
 * Duplicati date text → ISO UTC string, or null when missing, unset (0001-01-01) or unparsable.
 * Text without a zone is read as UTC: Duplicati always writes `Z` or an offset for real dates, and
 * the only zone-less value it sends is the unset date, so reading it in the server's zone would
 * only make results depend on where the server runs.
 */
export function toIsoUtc(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = ISO.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, fraction, zone] = m;
  const ms = Number((fraction ?? '').slice(0, 3).padEnd(3, '0'));
  const local = utcFromParts(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s ?? 0), ms);
  const offset = offsetMinutes(zone);
  if (local === null || Math.abs(offset) > 18 * 60) return null;
  const t = local - offset * 60_000;
  // Past 9999 toISOString() switches to "+010000-…", which would break string ordering.
  return t < YEAR_10000 ? new Date(t).toISOString() : null;
}

/** Duplicati 2.2+ `Extra["next-scheduled-run"]` (`yyyyMMddTHHmmssZ`, UTC) → ISO, else null. */
export function parseNextScheduledRun(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = COMPACT_UTC.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const t = utcFromParts(y, mo, d, h, mi, s);
  return t === null ? null : new Date(t).toISOString();
}
