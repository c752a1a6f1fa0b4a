// Available versions of a job ("available_backups", decision 7): the retention policy's
// "Backups to consider:" list minus its "All backups to delete:" list. Duplicati prints these as
// local wall-clock times in the sending machine's culture, so both the date shape and the zone
// have to be worked out here.
import { toIsoUtc, utcFromParts } from './timestamps.ts';

const CONSIDER = 'Backups to consider:';
const DELETE = 'All backups to delete:';
const DAY_MS = 86_400_000;

// Log entry header `yyyy-MM-dd HH:mm:ss zz - [`: zz is the machine's UTC offset in whole hours.
const LINE_OFFSET = /^\d{4}-\d{2}-\d{2} \d{1,2}:\d{2}:\d{2} ([+-])(\d{2})(?::?(\d{2}))? - /;
// One version: a date with `/`, `.` or `-` (year first or last), then H:mm:ss or H.mm.ss, with an
// optional AM/PM marker before or after the time (en-US "tt", en-CA "p.m.").
const AMPM = '([AP])\\.?M\\.?';
const ITEM = new RegExp(
  `^(\\d{1,4}) ?([./-]) ?(\\d{1,2}) ?\\2 ?(\\d{1,4})\\.? (?:${AMPM} ?)?(\\d{1,2})[:.](\\d{2})[:.](\\d{2})(?: ?${AMPM})?$`,
  'i',
);

type Order = 'dmy' | 'mdy';

interface Item {
  year: number;
  /** Month and day for year-first dates; otherwise the first two numbers, order unknown yet. */
  a: number;
  b: number;
  yearFirst: boolean;
  twelveHour: boolean;
  hour: number;
  minute: number;
  second: number;
  /** Wall-clock time (as epoch ms read in UTC) → the real instant. */
  toUtc: (wall: number) => number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset (ms east of UTC) of an IANA zone at instant t, from Intl: no tz database of our own. */
function zoneOffset(t: number, timeZone: string): number {
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, fmt);
  }
  const part = Object.fromEntries(fmt.formatToParts(t).map((p) => [p.type, Number(p.value)]));
  const wall = Date.UTC(part.year, part.month - 1, part.day, part.hour, part.minute, part.second);
  return wall - Math.floor(t / 1000) * 1000;
}

/**
 * Wall-clock time in an IANA zone → instant, resolving DST like `new Date(y, m, d, …)` does:
 * a repeated hour gives the earlier instant, a skipped hour is read with the offset before the change.
 */
function zonedToUtc(wall: number, timeZone: string): number {
  const before = zoneOffset(wall - DAY_MS, timeZone);
  const after = zoneOffset(wall + DAY_MS, timeZone);
  const exact = [wall - before, wall - after].filter((t) => zoneOffset(t, timeZone) === wall - t);
  return exact.length > 0 ? Math.min(...exact) : wall - before;
}

function parseItem(text: string, toUtc: Item['toUtc']): Item | null {
  // \s covers U+00A0 and U+202F, which ICU puts before AM/PM.
  const m = ITEM.exec(text.replace(/\s+/g, ' ').trim());
  if (!m) return null;
  const [, p1, , p2, p3, markBefore, h, min, s, markAfter] = m;
  if (markBefore && markAfter) return null;
  const mark = (markBefore ?? markAfter)?.toUpperCase();
  let yearFirst: boolean;
  if (p1.length === 4 && p3.length <= 2) yearFirst = true;
  else if (p1.length <= 2 && p3.length === 4) yearFirst = false;
  else return null;
  let hour = Number(h);
  if (mark) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (mark === 'P' ? 12 : 0);
  }
  return {
    year: Number(yearFirst ? p1 : p3),
    a: Number(yearFirst ? p2 : p1),
    b: Number(yearFirst ? p3 : p2),
    yearFirst,
    twelveHour: mark !== undefined,
    hour,
    minute: Number(min),
    second: Number(s),
    toUtc,
  };
}

function instant(item: Item, order: Order): number | null {
  const [month, day] = item.yearFirst || order === 'mdy' ? [item.a, item.b] : [item.b, item.a];
  const wall = utcFromParts(item.year, month, day, item.hour, item.minute, item.second);
  return wall === null ? null : item.toUtc(wall);
}

/**
 * Day/month order of the a/b/yyyy dates, decided for the whole list: a number above 12 settles
 * it; otherwise the order whose newest version lies just before BeginTime (the list is newest
 * first and leaves out the version just made; a day of slack covers a wrongly guessed zone).
 */
function chooseOrder(items: Item[], beginMs: number | null): Order {
  const ab = items.filter((i) => !i.yearFirst);
  if (ab.some((i) => i.a > 12)) return 'dmy';
  if (ab.some((i) => i.b > 12)) return 'mdy';
  // en-US writes AM/PM; 24-hour cultures with a/b/yyyy are overwhelmingly day first.
  const fallback: Order = ab.some((i) => i.twelveHour) ? 'mdy' : 'dmy';
  if (beginMs === null || ab.length === 0) return fallback;
  const distance = (order: Order): number => {
    const gap = beginMs - Math.max(...ab.map((i) => instant(i, order) ?? -Infinity));
    return gap >= -DAY_MS ? Math.abs(gap) : Infinity;
  };
  const dmy = distance('dmy');
  const mdy = distance('mdy');
  if (dmy === mdy) return fallback;
  return dmy < mdy ? 'dmy' : 'mdy';
}

/** Versions listed on the last line carrying `marker`, each bound to that line's zone. */
function listItems(lines: readonly string[], marker: string, timeZone: string): Item[] | null {
  const line = lines.findLast((l) => typeof l === 'string' && l.includes(marker));
  if (line === undefined) return null;
  const header = LINE_OFFSET.exec(line);
  let toUtc: Item['toUtc'];
  if (header) {
    const [, sign, hh, mm] = header;
    const offsetMs = (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm ?? 0)) * 60_000;
    toUtc = (wall) => wall - offsetMs;
  } else {
    toUtc = (wall) => zonedToUtc(wall, timeZone);
  }
  const list = line.slice(line.indexOf(marker) + marker.length).split(/[\r\n]/, 1)[0];
  return list.split(',').map((text) => parseItem(text, toUtc)).filter((i): i is Item => i !== null);
}

/**
 * ISO strings (newest first) of the versions kept after this run. Times are read in the offset
 * printed on the log line, else in `timeZone` (default: the process zone, i.e. TZ). An invalid
 * `timeZone` throws a RangeError when it is needed.
 */
export function parseAvailableBackups(
  lines: readonly string[],
  opts: { beginTime: string | null; timeZone?: string },
): string[] {
  const timeZone = opts.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const consider = listItems(lines, CONSIDER, timeZone);
  if (!consider) return [];
  const deleted = listItems(lines, DELETE, timeZone) ?? [];
  const begin = toIsoUtc(opts.beginTime);
  const order = chooseOrder([...consider, ...deleted], begin === null ? null : Date.parse(begin));
  const toIso = (items: Item[]): string[] =>
    items.flatMap((item) => {
      const t = instant(item, order);
      return t === null ? [] : [new Date(t).toISOString()];
    });
  const gone = new Set(toIso(deleted));
  // Every value has the toISOString() shape, so string order is chronological.
  return toIso(consider).filter((iso) => !gone.has(iso)).sort().reverse();
}
