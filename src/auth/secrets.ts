// Secrets at rest (decision 10, spec 04 §13.4): AES-256-GCM under a 32-byte key file created with
// mode 0600 in the data directory. Format: hex(salt):hex(iv):hex(tag):hex(ciphertext).
import { createCipheriv, createDecipheriv, createHash, pbkdf2Sync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const KEY_FILE = '.duplistatus.key';

export class MasterKeyError extends Error {}

export interface SecretBox {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
  fingerprint: string;
}

export function loadOrCreateKey(dataDir: string): Buffer {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, KEY_FILE);
  if (!existsSync(file)) {
    writeFileSync(file, randomBytes(32), { mode: 0o600, flag: 'wx' });
  }
  const key = readFileSync(file);
  if (key.length !== 32) throw new MasterKeyError(`${file} must hold exactly 32 bytes, found ${key.length}`);
  chmodSync(file, 0o600);
  return key;
}

// A per-value key derived with a fresh salt, as the reference does, so stored values stay readable.
const deriveKey = (master: Buffer, salt: Buffer) => pbkdf2Sync(master, salt, 100_000, 32, 'sha256');

export function secretBox(master: Buffer): SecretBox {
  return {
    fingerprint: createHash('sha256').update(master).digest('hex'),
    encrypt(plain) {
      const salt = randomBytes(32);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', deriveKey(master, salt), iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [salt, iv, cipher.getAuthTag(), body].map((b) => b.toString('hex')).join(':');
    },
    decrypt(sealed) {
      const parts = sealed.split(':');
      if (parts.length !== 4) throw new MasterKeyError('MASTER_KEY_INVALID: not an encrypted value');
      const [salt, iv, tag, body] = parts.map((p) => Buffer.from(p, 'hex'));
      try {
        const decipher = createDecipheriv('aes-256-gcm', deriveKey(master, salt), iv);
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
      } catch {
        throw new MasterKeyError('MASTER_KEY_INVALID: the value was encrypted with another key or was altered');
      }
    },
  };
}
