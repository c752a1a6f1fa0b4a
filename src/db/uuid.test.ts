import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uuidV7 } from './uuid.ts';

test('uuid v7: RFC 9562 shape, version and variant, ordered by time', () => {
  const a = uuidV7(1_700_000_000_000);
  const b = uuidV7(1_700_000_000_001);
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.ok(a < b);
  assert.equal(a.slice(0, 13).replace('-', ''), (1_700_000_000_000).toString(16).padStart(12, '0'));
  assert.notEqual(uuidV7(5), uuidV7(5));
});
