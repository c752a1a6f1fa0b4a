// The shared Duplicati report bodies, byte for byte, and a poster that sends them as Duplicati does.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './daemon.ts';

export const FIXTURES_DIR = path.resolve(ROOT, '../shared/fixtures/duplicati');

export function fixtureNames(): string[] {
  return readdirSync(FIXTURES_DIR).filter((f) => f.endsWith('.json')).sort();
}

export function fixtureBody(name: string): string {
  return readFileSync(path.join(FIXTURES_DIR, name), 'utf8');
}

export function fixture(name: string): any {
  return JSON.parse(fixtureBody(name));
}

/** POST like Duplicati: raw JSON, Content-Type application/json, nothing else. */
export async function postReport(baseUrl: string, body: string, query = ''): Promise<{ status: number; json: any }> {
  const res = await fetch(`${baseUrl}/api/upload${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body,
  });
  return { status: res.status, json: await res.json() };
}
