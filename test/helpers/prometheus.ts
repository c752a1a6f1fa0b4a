// A strict parser for the Prometheus text exposition format 0.0.4, stricter than Prometheus itself
// where our output has no business being loose: every line is HELP, TYPE or a sample; HELP and
// TYPE come once per family and before its samples; a family's samples form one group; names,
// label escapes and values are checked; no series appears twice. Throws on the first bad line.

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** The value as written. */
  raw: string;
}

export interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  samples: ParsedSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
// What Go's strconv.ParseFloat accepts, minus hex floats and underscores (never written here).
const FLOAT = /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|Inf|inf|NaN)$/;
const TIMESTAMP = /^-?\d+$/;

export class ExpositionError extends Error {
  constructor(lineNo: number, line: string, why: string) {
    super(`line ${lineNo}: ${why}: ${JSON.stringify(line)}`);
  }
}

/** Reads `s` from `i` (just after an opening quote) to the closing quote; only \\, \" and \n are escapes. */
function readQuoted(s: string, i: number, fail: (why: string) => never): [string, number] {
  let out = '';
  for (;;) {
    if (i >= s.length) fail('unterminated label value');
    const ch = s[i];
    if (ch === '"') return [out, i + 1];
    if (ch === '\\') {
      const next = s[i + 1];
      if (next === '\\') out += '\\';
      else if (next === '"') out += '"';
      else if (next === 'n') out += '\n';
      else fail(`invalid escape \\${next ?? ''} in label value`);
      i += 2;
    } else {
      out += ch;
      i++;
    }
  }
}

function unescapeHelp(text: string, fail: (why: string) => never): string {
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    return fail(`invalid escape \\${c} in HELP`);
  });
}

export function parseFloatValue(text: string): number {
  if (/^[+]?(Inf|inf)$/.test(text)) return Infinity;
  if (/^-(Inf|inf)$/.test(text)) return -Infinity;
  if (text === 'NaN') return NaN;
  return Number(text);
}

/** The family a sample name belongs to, given the declared types. */
function familyOf(name: string, families: Map<string, ParsedFamily>): ParsedFamily | undefined {
  const direct = families.get(name);
  if (direct) return direct;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const base = families.get(name.slice(0, -suffix.length));
    if (base && (base.type === 'histogram' || (base.type === 'summary' && suffix !== '_bucket'))) return base;
  }
  return undefined;
}

export function parseExposition(text: string): Map<string, ParsedFamily> {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a line feed');
  if (text.includes('\r')) throw new Error('exposition must not contain carriage returns');
  const lines = text.slice(0, -1).split('\n');
  const families = new Map<string, ParsedFamily>();
  const helps = new Map<string, string>();
  const types = new Map<string, string>();
  const series = new Set<string>();
  const closed = new Set<string>();
  let current: string | null = null;

  lines.forEach((line, index) => {
    const fail = (why: string): never => {
      throw new ExpositionError(index + 1, line, why);
    };
    if (line === '') fail('empty line');

    if (line.startsWith('#')) {
      const m = line.match(/^# (HELP|TYPE) (\S+) (.*)$/) ?? line.match(/^# (HELP) (\S+)()$/);
      if (!m) return fail('comment that is neither "# HELP name text" nor "# TYPE name type"');
      const [, kind, name, rest] = m;
      if (!METRIC_NAME.test(name)) fail(`invalid metric name "${name}"`);
      if (families.get(name)?.samples.length) fail(`${kind} after samples of ${name}`);
      if (kind === 'HELP') {
        if (helps.has(name)) fail(`second HELP for ${name}`);
        helps.set(name, unescapeHelp(rest, fail));
      } else {
        if (types.has(name)) fail(`second TYPE for ${name}`);
        if (!TYPES.has(rest)) fail(`unknown type "${rest}"`);
        types.set(name, rest);
      }
      if (helps.has(name) && types.has(name) && !families.has(name)) {
        families.set(name, { name, help: helps.get(name)!, type: types.get(name)!, samples: [] });
      }
      return;
    }

    const nameMatch = line.match(/^[a-zA-Z_:][a-zA-Z0-9_:]*/);
    if (!nameMatch) return fail('sample line does not start with a metric name');
    const name = nameMatch[0];
    let i = name.length;
    const labels: Record<string, string> = {};
    if (line[i] === '{') {
      i++;
      while (line[i] !== '}') {
        const labelMatch = line.slice(i).match(/^[a-zA-Z_][a-zA-Z0-9_]*/);
        if (!labelMatch) fail(`bad label name at column ${i + 1}`);
        const label = labelMatch![0];
        if (!LABEL_NAME.test(label) || label.startsWith('__')) fail(`invalid label name "${label}"`);
        if (Object.hasOwn(labels, label)) fail(`label "${label}" given twice`);
        i += label.length;
        if (line.slice(i, i + 2) !== '="') fail(`expected =" after label "${label}"`);
        const [value, end] = readQuoted(line, i + 2, fail);
        labels[label] = value;
        i = end;
        if (line[i] === ',') i++;
        else if (line[i] !== '}') fail(`expected , or } at column ${i + 1}`);
      }
      i++;
    }
    if (line[i] !== ' ') fail('expected one space before the value');
    const [valueText, timestamp, ...extra] = line.slice(i + 1).split(' ');
    if (extra.length) fail('trailing fields after the timestamp');
    if (!FLOAT.test(valueText ?? '')) fail(`value "${valueText}" is not a Go float`);
    if (timestamp !== undefined && !TIMESTAMP.test(timestamp)) fail(`timestamp "${timestamp}" is not an integer`);

    const family = familyOf(name, families);
    if (!family) return fail(`sample of ${name} before its HELP and TYPE lines`);
    if (family.name !== current) {
      if (closed.has(family.name)) fail(`samples of ${family.name} are not one group`);
      if (current) closed.add(current);
      current = family.name;
    }
    const key = `${name}{${Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
    if (series.has(key)) fail(`duplicate series ${key}`);
    series.add(key);
    family.samples.push({ name, labels, value: parseFloatValue(valueText), raw: valueText });
  });

  for (const name of new Set([...helps.keys(), ...types.keys()])) {
    if (!families.has(name)) throw new Error(`${name} has ${helps.has(name) ? 'HELP' : 'TYPE'} but no ${helps.has(name) ? 'TYPE' : 'HELP'}`);
  }
  return families;
}

/** The one sample of `family` whose labels include `match`; fails when there is not exactly one. */
export function sampleOf(families: Map<string, ParsedFamily>, family: string, match: Record<string, string> = {}): ParsedSample {
  const f = families.get(family);
  if (!f) throw new Error(`no family ${family}`);
  const hits = f.samples.filter((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v));
  if (hits.length !== 1) throw new Error(`${hits.length} samples of ${family} match ${JSON.stringify(match)}`);
  return hits[0];
}
