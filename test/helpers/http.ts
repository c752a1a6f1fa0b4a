// Small HTTP helpers for the end-to-end tests: JSON requests against a running daemon, the
// shapes every test checks (error envelope, no-store headers) and the value patterns of spec 02 §0.2.
import assert from 'node:assert/strict';
import { fixture } from './fixtures.ts';

export interface JsonResponse {
  status: number;
  headers: Headers;
  json: any;
}

/** Any request; the body must be JSON (every /api answer is). */
export async function request(baseUrl: string, path: string, init: RequestInit = {}): Promise<JsonResponse> {
  const res = await fetch(`${baseUrl}${path}`, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    assert.fail(`${init.method ?? 'GET'} ${path} answered ${res.status} with a non-JSON body: ${text.slice(0, 200)}`);
  }
  return { status: res.status, headers: res.headers, json };
}

export const getJson = (baseUrl: string, path: string) => request(baseUrl, path);

/**
 * POST /api/upload exactly as Duplicati does (raw body, Content-Type: application/json and nothing
 * else) unless `headers` adds something (e.g. Authorization).
 */
export function upload(
  baseUrl: string,
  body: string,
  options: { query?: string; headers?: Record<string, string> } = {},
): Promise<JsonResponse> {
  return request(baseUrl, `/api/upload${options.query ?? ''}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...options.headers },
    body,
  });
}

/** A fixture body, parsed, changed by `edit`, and serialized again (compact, like Duplicati). */
export function editedFixture(name: string, edit: (report: any) => void): string {
  const report = fixture(name);
  edit(report);
  return JSON.stringify(report);
}

// Value shapes (spec 01 §0, 02 §0.2).
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const CREATED_AT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Decision 1: {error, message, timestamp} (+ extra keys), timestamp an ISO instant of "now". */
export function assertErrorEnvelope(json: any, error?: string | RegExp): void {
  assert.equal(typeof json, 'object');
  assert.ok(json !== null && !Array.isArray(json), 'error body must be an object');
  assert.equal(typeof json.error, 'string');
  assert.ok(json.error.length > 0, 'error must not be empty');
  assert.equal(typeof json.message, 'string');
  assert.ok(json.message.length > 0, 'message must not be empty');
  assert.match(json.timestamp, ISO_MS);
  assert.ok(Math.abs(Date.parse(json.timestamp) - Date.now()) < 60_000, `timestamp ${json.timestamp} is not now`);
  assert.equal(json.stack, undefined, 'no stack outside NODE_ENV=development');
  if (typeof error === 'string') assert.equal(json.error, error);
  else if (error) assert.match(json.error, error);
}

/** Spec 02 §2.2 / decision 3: integrations must never get a cached answer. */
export function assertNoStore(headers: Headers, what = 'response'): void {
  const cacheControl = headers.get('cache-control') ?? '';
  assert.match(cacheControl, /\bno-store\b/, `${what}: Cache-Control "${cacheControl}" lacks no-store`);
  assert.match(headers.get('content-type') ?? '', /^application\/json\b/, `${what}: not JSON`);
}

/** The summary without its clock-driven field, for before/after comparisons. */
export function stableSummary(summary: any): Record<string, unknown> {
  const { secondsSinceLastBackup: _, ...rest } = summary;
  return rest;
}

/** secondsSinceLastBackup must be floor((now - newest run) / 1000) for some "now" during the request. */
export function assertSecondsSince(actual: unknown, newestRunIso: string, requestedAt: number, answeredAt: number): void {
  assert.equal(typeof actual, 'number');
  const newest = Date.parse(newestRunIso);
  const min = Math.floor((requestedAt - newest) / 1000) - 1;
  const max = Math.floor((answeredAt - newest) / 1000) + 1;
  assert.ok(Number.isInteger(actual), `secondsSinceLastBackup ${actual} is not an integer`);
  assert.ok((actual as number) >= min && (actual as number) <= max, `secondsSinceLastBackup ${actual} not in [${min}, ${max}]`);
}

/** GET /api/summary and check secondsSinceLastBackup against the newest run date. */
export async function getSummary(baseUrl: string, newestRunIso: string | null): Promise<any> {
  const before = Date.now();
  const res = await getJson(baseUrl, '/api/summary');
  const after = Date.now();
  assert.equal(res.status, 200);
  if (newestRunIso === null) assert.equal(res.json.secondsSinceLastBackup, null);
  else assertSecondsSince(res.json.secondsSinceLastBackup, newestRunIso, before, after);
  return res.json;
}
