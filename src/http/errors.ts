// The one error helper: every failure leaves as {error, message, timestamp} (decision 1).
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Failure } from '../outcome.ts';

export type ErrorExtra = Record<string, unknown>;

export function errorBody(error: string, message: string, extra: ErrorExtra = {}) {
  return { error, message, timestamp: new Date().toISOString(), ...extra };
}

export function sendError(c: Context, status: ContentfulStatusCode, error: string, message: string, extra?: ErrorExtra) {
  return c.json(errorBody(error, message, extra), status);
}

export function sendFailure(c: Context, failure: Failure) {
  return sendError(c, failure.status, failure.error, failure.message, failure.extra);
}
