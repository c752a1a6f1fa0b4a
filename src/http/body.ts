// Reads a JSON object body for the API routes; anything else is a 400 the caller can send as is.
import type { Context } from 'hono';
import { fail, ok, type Outcome } from '../outcome.ts';

export async function jsonObject(c: Context, options: { optional?: boolean } = {}): Promise<Outcome<Record<string, unknown>>> {
  const text = await c.req.text();
  if (text.trim() === '' && options.optional) return ok({});
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's own message quotes the input, which may hold a password: never echo it.
    return fail(400, 'Invalid JSON', 'The request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(400, 'Invalid request body', 'The request body must be a JSON object');
  }
  return ok(value as Record<string, unknown>);
}
