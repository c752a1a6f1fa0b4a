// Domain functions answer with data or a Failure that names the HTTP status the spec gives it;
// routes turn a Failure into the error envelope, the CLI into a message and exit code.
export type FailureStatus = 400 | 401 | 403 | 404 | 409 | 413 | 503;

export interface Failure {
  ok: false;
  status: FailureStatus;
  error: string;
  message: string;
  extra?: Record<string, unknown>;
}

export type Outcome<T> = { ok: true; value: T } | Failure;

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });

export function fail(status: FailureStatus, error: string, message = error, extra?: Record<string, unknown>): Failure {
  return { ok: false, status, error, message, ...(extra && { extra }) };
}
