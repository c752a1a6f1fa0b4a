import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tempDatabase } from '../../test/helpers/db.ts';
import { servers } from '../db/schema.ts';
import { updateServer } from './update.ts';

const ODD_ID = 'Zoë’s "box"/1 日本 %2F';

describe('updateServer', () => {
  let db: Awaited<ReturnType<typeof tempDatabase>>;
  const row = async (id: string) => (await db.client.execute({ sql: 'SELECT * FROM servers WHERE id = ?', args: [id] })).rows[0];

  before(async () => {
    db = await tempDatabase();
    await db.orm.insert(servers).values([
      { id: 'srv1', name: 'nas', alias: 'Old', note: 'old note', serverUrl: 'http://old:8200', serverPassword: 'enc:pw' },
      { id: ODD_ID, name: 'Zoë’s MacBook Pro' },
    ]);
  });
  after(() => db.dispose());

  it('replaces alias, note and URL; name and password stay', async () => {
    const result = await updateServer(db, 'srv1', { alias: 'Main box', note: 'rack 2', server_url: 'https://nas.lan:8200/' });
    assert.deepEqual(result, {
      ok: true,
      value: { message: 'Server updated successfully', serverId: 'srv1', server_url: 'https://nas.lan:8200/', alias: 'Main box', note: 'rack 2' },
    });
    const r = await row('srv1');
    assert.deepEqual([r.name, r.alias, r.note, r.server_url, r.server_password], ['nas', 'Main box', 'rack 2', 'https://nas.lan:8200/', 'enc:pw']);
  });

  it('an omitted or null field is cleared, as in the reference', async () => {
    const result = await updateServer(db, 'srv1', { alias: 'Only alias', note: null });
    assert.ok(result.ok);
    assert.deepEqual(result.value, { message: 'Server updated successfully', serverId: 'srv1', server_url: '', alias: 'Only alias', note: '' });
    const r = await row('srv1');
    assert.deepEqual([r.alias, r.note, r.server_url], ['Only alias', '', '']);
  });

  it('works for ids with quotes, slashes, spaces and non-Latin letters', async () => {
    assert.ok((await updateServer(db, ODD_ID, { alias: 'Zoë', note: '日本', server_url: 'http://[::1]:8200' })).ok);
    const r = await row(ODD_ID);
    assert.deepEqual([r.alias, r.note, r.server_url], ['Zoë', '日本', 'http://[::1]:8200']);
  });

  it('refuses bad input and changes nothing', async () => {
    const before = await row('srv1');
    const cases: Array<[string, unknown, number, string]> = [
      ['srv1', { alias: 42 }, 400, 'Invalid field types'],
      ['srv1', { note: ['x'], server_url: true }, 400, 'Invalid field types'],
      ['srv1', 'alias=x', 400, 'Invalid request body'],
      ['srv1', null, 400, 'Invalid request body'],
      ['srv1', [], 400, 'Invalid request body'],
      ['srv1', { server_url: 'not a url' }, 404, 'Invalid URL format'],
      ['srv1', { server_url: 'ftp://nas:21' }, 404, 'URL must use HTTP or HTTPS protocol'],
      ['', { alias: 'x' }, 400, 'Server ID is required'],
      ['nope', { alias: 'x' }, 404, 'Server not found'],
    ];
    for (const [id, patch, status, error] of cases) {
      const result = await updateServer(db, id, patch);
      assert.ok(!result.ok, JSON.stringify(patch));
      assert.deepEqual([result.status, result.error], [status, error], JSON.stringify(patch));
      assert.equal(typeof result.message, 'string');
    }
    assert.deepEqual(await row('srv1'), before);
    assert.equal((await db.client.execute("SELECT count(*) AS n FROM servers WHERE id = 'nope'")).rows[0].n, 0);
  });

  it('names the wrongly typed fields', async () => {
    const result = await updateServer(db, 'srv1', { alias: 1, note: 'ok', server_url: {} });
    assert.deepEqual(result, { ok: false, status: 400, error: 'Invalid field types', message: 'These fields must be strings: server_url, alias' });
  });
});
