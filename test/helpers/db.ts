// A fresh migrated database file in a temp dir, for tests of the domain modules.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { parseDuplicatiReport, type ParsedRun } from '../../src/ingest/duplicati-report.ts';
import { storeRun } from '../../src/ingest/store.ts';
import { tempDir } from './daemon.ts';
import { fixture } from './fixtures.ts';

export async function tempDatabase(): Promise<Database & { dispose(): void }> {
  const dir = tempDir('duplistatus-db-');
  const db = await openDatabase(`file:${path.join(dir, 'backups.db')}`);
  return {
    ...db,
    dispose() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type TempDatabase = Awaited<ReturnType<typeof tempDatabase>>;

/** Stores a shared fixture report, with another BeginTime and any edit; returns the parsed run and its id. */
export async function storeFixture(db: Database, name: string, begin: string | null = null, patch: (body: any) => void = () => {}) {
  const body = fixture(name);
  if (begin) body.Data.BeginTime = begin;
  patch(body);
  const outcome = parseDuplicatiReport(body, 'UTC');
  assert.equal(outcome.kind, 'run', `${name} did not parse as a run`);
  const run = (outcome as { run: ParsedRun }).run;
  const stored = await storeRun(db, run);
  assert.ok(stored.stored, `${name} at ${begin} was a duplicate`);
  return { id: stored.id, run };
}
