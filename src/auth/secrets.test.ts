import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/helpers/daemon.ts';
import { KEY_FILE, loadOrCreateKey, MasterKeyError, secretBox } from './secrets.ts';

test('the key file is created once with mode 0600 and reused', () => {
  const dir = tempDir();
  const key = loadOrCreateKey(dir);
  assert.equal(key.length, 32);
  assert.equal(statSync(path.join(dir, KEY_FILE)).mode & 0o777, 0o600);
  assert.deepEqual(loadOrCreateKey(dir), key);
});

test('a key file of the wrong size is refused', () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, KEY_FILE), 'short');
  assert.throws(() => loadOrCreateKey(dir), MasterKeyError);
});

test('round trip, random per value, no plaintext in the sealed text', () => {
  const box = secretBox(loadOrCreateKey(tempDir()));
  const a = box.encrypt('smtp-p@ss wörd');
  const b = box.encrypt('smtp-p@ss wörd');
  assert.notEqual(a, b);
  assert.match(a, /^[0-9a-f]{64}:[0-9a-f]{24}:[0-9a-f]{32}:[0-9a-f]+$/);
  assert.ok(!a.includes('p@ss'));
  assert.equal(box.decrypt(a), 'smtp-p@ss wörd');
  assert.match(box.fingerprint, /^[0-9a-f]{64}$/);
});

test('another key or a tampered value fails with MASTER_KEY_INVALID', () => {
  const sealed = secretBox(loadOrCreateKey(tempDir())).encrypt('secret');
  assert.throws(() => secretBox(loadOrCreateKey(tempDir())).decrypt(sealed), /MASTER_KEY_INVALID/);
  const box = secretBox(loadOrCreateKey(tempDir()));
  const mine = box.encrypt('secret');
  const tampered = mine.slice(0, -2) + (mine.endsWith('00') ? '11' : '00');
  assert.throws(() => box.decrypt(tampered), /MASTER_KEY_INVALID/);
  assert.throws(() => box.decrypt('garbage'), /MASTER_KEY_INVALID/);
});
