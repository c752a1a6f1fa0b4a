// Display formatting shared by the APIs and the web UI, so every screen says the same thing.

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Whole hours, minutes and seconds (floored); anything not a finite non-negative number is 0. */
function splitSeconds(seconds: number): [number, number, number] {
  const total = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  return [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
}

/** `HH:MM:SS`, hours may pass 24 (decision 6): 97965.88 → "27:12:45". */
export function formatHms(seconds: number): string {
  const [h, m, s] = splitSeconds(seconds);
  return `${pad2(h)}:${pad2(m)}:${pad2(s)}`;
}

/** Notification `{duration}` (03 §9.4): "1h 2m 3s", "38m 31s" under an hour, "5s" under a minute. */
export function formatHumanDuration(seconds: number): string {
  const [h, m, s] = splitSeconds(seconds);
  if (h > 0) return `${h}h ${m}m ${s}s`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;

/**
 * Elapsed text of 02 §1 (English, no "ago"). Months are 30 days and years 365, as in the
 * reference; 15–59 s therefore reads "0 minutes".
 */
export function elapsedText(iso: string | null | undefined, now: Date): string {
  if (!iso || iso === 'N/A') return '';
  const d = Math.floor((now.getTime() - Date.parse(iso)) / 1000);
  if (Number.isNaN(d)) return '';
  if (d < 0) return 'in the future';
  if (d < 15) return 'just now';
  if (d < 3600) return plural(Math.floor(d / 60), 'minute');
  if (d < 86400) return plural(Math.floor(d / 3600), 'hour');
  if (d < 604800) return plural(Math.floor(d / 86400), 'day');
  if (d < 2592000) return plural(Math.floor(d / 604800), 'week');
  if (d < 31536000) return plural(Math.floor(d / 2592000), 'month');
  const years = plural(Math.floor(d / 31536000), 'year');
  const months = Math.floor((d % 31536000) / 2592000);
  return months > 0 ? `${years} and ${plural(months, 'month')}` : years;
}
