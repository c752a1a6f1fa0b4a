// The three message arrays of a run (decision 2). Real Duplicati reports carry no Data.Warnings or
// Data.Errors, only LogLines, so warnings and errors are picked out of the log by level.

// `2026-11-24 02:00:04 +01 - [Warning-Tag-Id]: …`: the level is the word right after the first
// `[` of the entry's first line (exception text may follow on later lines).
const LEVEL = /^[^[\r\n]*\[([A-Za-z]+)-/;

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** Whole log entries logged at Warning and at Error level, in their original order. */
export function splitLogLevels(lines: unknown): { warnings: string[]; errors: string[] } {
  const warnings: string[] = [];
  const errors: string[] = [];
  for (const line of strings(lines)) {
    const level = LEVEL.exec(line)?.[1];
    if (level === 'Warning') warnings.push(line);
    else if (level === 'Error') errors.push(line);
  }
  return { warnings, errors };
}

/** Exception text of a failed run: Data.Exception, else the top-level Exception; blanks are none. */
function exceptionText(...candidates: unknown[]): string | null {
  for (const value of candidates) {
    if (typeof value === 'string') {
      if (value.trim() !== '') return value;
    } else if (value) {
      return String(value);
    }
  }
  return null;
}

export function buildMessageArrays(report: {
  Data?: Record<string, unknown>;
  LogLines?: unknown;
  Exception?: unknown;
}): { messages: string[]; warnings: string[]; errors: string[] } {
  const data = report.Data ?? {};
  // An empty LogLines array still wins: Duplicati sent its log, it just had nothing in it.
  const messages = Array.isArray(report.LogLines) ? strings(report.LogLines) : strings(data.Messages);
  const fromLog = splitLogLevels(report.LogLines);
  const legacyWarnings = strings(data.Warnings);
  const legacyErrors = strings(data.Errors);
  const exception = exceptionText(data.Exception, report.Exception);
  return {
    messages,
    warnings: legacyWarnings.length > 0 ? legacyWarnings : fromLog.warnings,
    errors:
      legacyErrors.length > 0 ? legacyErrors : exception === null ? fromLog.errors : [...fromLog.errors, exception],
  };
}
