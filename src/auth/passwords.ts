// Password hashing (scrypt, decision 11), the password policy (spec 04 §4.2) and temporary passwords (§4.3).
import { randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 64;
// scrypt needs 128·N·r bytes; Node's default cap (32 MiB) is exactly that, so raise it.
const MAX_MEM = 64 * 1024 * 1024;

export const DEFAULT_PASSWORD = 'Duplistatus09';

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, { N: n, r, p, maxmem: MAX_MEM }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** `scrypt$N$r$p$salt$hash` (base64): parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P);
  return ['scrypt', N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !hash) return false;
  try {
    const expected = Buffer.from(hash, 'base64');
    const key = await derive(password, Buffer.from(salt, 'base64'), Number(n), Number(r), Number(p));
    return key.length === expected.length && timingSafeEqual(key, expected);
  } catch {
    return false;
  }
}

// Verified against when a username is unknown, so both failures cost the same time.
let decoy: Promise<string> | undefined;
export async function burnVerification(password: string): Promise<void> {
  await verifyPassword(password, await (decoy ??= hashPassword(randomBytes(16).toString('hex'))));
}

export interface PasswordPolicy {
  minLength: number;
  requireUppercase: boolean;
  requireLowercase: boolean;
  requireNumbers: boolean;
  requireSpecialChars: boolean;
}

export function passwordPolicy(env: NodeJS.ProcessEnv = process.env): PasswordPolicy {
  const enforce = (env.PWD_ENFORCE ?? '').toLowerCase() !== 'false';
  const min = Number(env.PWD_MIN_LEN);
  return {
    minLength: Number.isInteger(min) && min >= 1 ? min : 8,
    requireUppercase: enforce,
    requireLowercase: enforce,
    requireNumbers: enforce,
    requireSpecialChars: false,
  };
}

/** All failures in the spec's order; empty when the password is acceptable. */
export function passwordProblems(password: string, policy: PasswordPolicy): string[] {
  const problems: string[] = [];
  if (password === DEFAULT_PASSWORD) problems.push('Cannot use the default password. Please choose a different password');
  if (password.length < policy.minLength) problems.push(`Password must be at least ${policy.minLength} characters long`);
  if (policy.requireUppercase && !/[A-Z]/.test(password)) problems.push('Password must contain at least one uppercase letter (A-Z)');
  if (policy.requireLowercase && !/[a-z]/.test(password)) problems.push('Password must contain at least one lowercase letter (a-z)');
  if (policy.requireNumbers && !/[0-9]/.test(password)) problems.push('Password must contain at least one number (0-9)');
  return problems;
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALL = UPPER + LOWER + DIGITS + '!@#$%^&*';

export function temporaryPassword(policy: PasswordPolicy): string {
  const pick = (set: string) => set[randomInt(set.length)];
  const chars = policy.requireUppercase ? [pick(UPPER), pick(LOWER), pick(DIGITS)] : [];
  while (chars.length < Math.max(12, policy.minLength)) chars.push(pick(ALL));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}
