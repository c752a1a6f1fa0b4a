import assert from 'node:assert/strict';
import { test } from 'node:test';
// @ts-expect-error plain JS build script without types
import { renderMigrations } from '../../scripts/embed-migrations.mjs';
import { readFileSync } from 'node:fs';

test('embedded migrations match drizzle/ (run `npm run db:generate` after changing the schema)', () => {
  const embedded = readFileSync(new URL('./migrations.gen.ts', import.meta.url), 'utf8');
  assert.equal(embedded, renderMigrations());
});
