import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

test('defaults: port 9666, ./data, embedded database file', () => {
  const c = loadConfig({}, {});
  assert.equal(c.port, 9666);
  assert.equal(c.host, '0.0.0.0');
  assert.equal(c.dataDir, path.resolve('data'));
  assert.equal(c.databaseUrl, `file:${path.resolve('data/backups.db')}`);
  assert.equal(c.uploadToken, undefined);
  assert.equal(c.development, false);
});

test('environment overrides defaults; empty variables count as unset', () => {
  const c = loadConfig({}, { PORT: '8080', DATA_DIR: '/srv/d', DATABASE_URL: '', UPLOAD_TOKEN: 's3cret', TZ: 'Europe/Berlin' });
  assert.equal(c.port, 8080);
  assert.equal(c.databaseUrl, 'file:/srv/d/backups.db');
  assert.equal(c.uploadToken, 's3cret');
  assert.equal(c.timeZone, 'Europe/Berlin');
});

test('flags override the environment', () => {
  const c = loadConfig(
    { port: '7000', dataDir: '/x', databaseUrl: 'libsql://db.example:8080', host: '127.0.0.1' },
    { PORT: '8080', DATA_DIR: '/srv/d', DATABASE_URL: 'file:/y.db', DATABASE_AUTH_TOKEN: 'tok' },
  );
  assert.equal(c.port, 7000);
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.dataDir, '/x');
  assert.equal(c.databaseUrl, 'libsql://db.example:8080');
  assert.equal(c.databaseAuthToken, 'tok');
});

test('an invalid port is a clear error', () => {
  assert.throws(() => loadConfig({ port: 'abc' }, {}), ConfigError);
  assert.throws(() => loadConfig({}, { PORT: '70000' }), /Invalid port "70000"/);
});
