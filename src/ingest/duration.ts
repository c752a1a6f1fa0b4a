// .NET TimeSpan text ("c" format, `[-][d.]hh:mm:ss[.fffffff]`) → seconds with fraction (decision 6).
// Runs of a day or more carry a day prefix; reading "1.03:12:45" as 1.03 hours is the reference's bug.

const TIMESPAN = /^(-)?(?:(\d+)\.)?(\d+):(\d{1,2}):(\d{1,2})(?:\.(\d+))?$/;

export function parseDotNetDuration(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const m = TIMESPAN.exec(text.trim());
  if (!m) return null;
  const [, sign, days, hours, minutes, seconds, fraction] = m;
  const h = Number(hours);
  const min = Number(minutes);
  const s = Number(seconds);
  if (min >= 60 || s >= 60 || (days !== undefined && h >= 24)) return null;
  const whole = Number(days ?? 0) * 86400 + h * 3600 + min * 60 + s;
  // Building the decimal text and parsing it once keeps "2311.6018052" free of float noise.
  const value = Number(fraction ? `${whole}.${fraction}` : `${whole}`);
  return sign && value !== 0 ? -value : value;
}
