// How POST /api/upload answered since the daemon started, for GET /metrics. Plain in-memory
// counters: one increment per upload, nothing on the request path waits for them.

export const UPLOAD_OUTCOMES = ['accepted', 'duplicate', 'ignored', 'invalid'] as const;
export type UploadOutcome = (typeof UPLOAD_OUTCOMES)[number];

export interface UploadCounters {
  count(outcome: UploadOutcome): void;
  /** A copy of the counts so far. */
  snapshot(): Record<UploadOutcome, number>;
}

export function createUploadCounters(): UploadCounters {
  const counts: Record<UploadOutcome, number> = { accepted: 0, duplicate: 0, ignored: 0, invalid: 0 };
  return {
    count: (outcome) => void counts[outcome]++,
    snapshot: () => ({ ...counts }),
  };
}
