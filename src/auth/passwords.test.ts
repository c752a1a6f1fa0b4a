import assert from 'node:assert/strict';
import { test } from 'node:test';
import { burnVerification, DEFAULT_PASSWORD, hashPassword, passwordPolicy, passwordProblems, temporaryPassword, verifyPassword } from './passwords.ts';

test('scrypt hashes verify, carry their parameters and never contain the password', async () => {
  const hash = await hashPassword('Correct-Horse-9');
  assert.match(hash, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.ok(!hash.includes('Correct-Horse-9'));
  assert.equal(await verifyPassword('Correct-Horse-9', hash), true);
  assert.equal(await verifyPassword('correct-horse-9', hash), false);
  assert.notEqual(await hashPassword('Correct-Horse-9'), hash, 'salted');
});

test('malformed stored hashes never verify', async () => {
  for (const stored of ['', 'plain', 'bcrypt$x', 'scrypt$1$1$1$AAAA$', 'scrypt$abc$8$1$AAAA$BBBB']) {
    assert.equal(await verifyPassword('x', stored), false, stored);
  }
  await burnVerification('anything');
});

test('policy from the environment', () => {
  assert.deepEqual(passwordPolicy({}), { minLength: 8, requireUppercase: true, requireLowercase: true, requireNumbers: true, requireSpecialChars: false });
  assert.deepEqual(passwordPolicy({ PWD_ENFORCE: 'FALSE', PWD_MIN_LEN: '12' }), { minLength: 12, requireUppercase: false, requireLowercase: false, requireNumbers: false, requireSpecialChars: false });
  assert.equal(passwordPolicy({ PWD_MIN_LEN: 'zero' }).minLength, 8);
  assert.equal(passwordPolicy({ PWD_MIN_LEN: '0' }).minLength, 8);
});

test('validation lists every failure in order', () => {
  const policy = passwordPolicy({});
  const cases: [string, string[]][] = [
    ['Abcdefg1', []],
    [DEFAULT_PASSWORD, ['Cannot use the default password. Please choose a different password']],
    ['abc', ['Password must be at least 8 characters long', 'Password must contain at least one uppercase letter (A-Z)', 'Password must contain at least one number (0-9)']],
    ['ABCDEFGH1', ['Password must contain at least one lowercase letter (a-z)']],
    ["' OR 1=1 --", ['Password must contain at least one lowercase letter (a-z)']],
  ];
  for (const [password, expected] of cases) assert.deepEqual(passwordProblems(password, policy), expected, password);
  assert.deepEqual(passwordProblems('abcdefgh', passwordPolicy({ PWD_ENFORCE: 'false' })), []);
  assert.deepEqual(passwordProblems(DEFAULT_PASSWORD, passwordPolicy({ PWD_ENFORCE: 'false' })), ['Cannot use the default password. Please choose a different password']);
});

test('temporary passwords satisfy the policy they were made for', () => {
  for (const env of [{}, { PWD_MIN_LEN: '20' }, { PWD_ENFORCE: 'false' }]) {
    const policy = passwordPolicy(env);
    for (let i = 0; i < 50; i++) {
      const pw = temporaryPassword(policy);
      assert.equal(pw.length, Math.max(12, policy.minLength));
      assert.deepEqual(passwordProblems(pw, policy), []);
    }
  }
});
