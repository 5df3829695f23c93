import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * AES-256-GCM for secrets at rest (SMTP passwords, API keys). The key comes
 * from RELAY_SECRET or, when unset, from a random key generated once into the
 * data dir with mode 0600. The row id is bound in as associated data, so a
 * ciphertext copied onto another row does not decrypt.
 */
export interface SecretBox {
  seal(plaintext: string, aad: string): string;
  open(sealed: string, aad: string): string;
}

const VERSION = 'v1';

export function secretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('secret key must be 32 bytes');
  return {
    seal(plaintext, aad) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv.toString('base64'), tag.toString('base64'), ct.toString('base64')].join(':');
    },
    open(sealed, aad) {
      const [version, iv, tag, ct] = sealed.split(':');
      if (version !== VERSION || !iv || !tag || ct === undefined) throw new Error('unrecognised secret format');
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]).toString('utf8');
    },
  };
}

export const KEY_FILE = 'secret.key';

/**
 * RELAY_SECRET: 64 hex characters are used as the key itself; any other
 * string (16+ characters) is stretched with scrypt under a fixed salt.
 */
export function loadKey(secret: string | undefined, dataDir: string): Buffer {
  if (secret) {
    if (/^[0-9a-fA-F]{64}$/.test(secret)) return Buffer.from(secret, 'hex');
    return crypto.scryptSync(secret, 'sendway-relay-secret-v1', 32);
  }
  const file = path.join(dataDir, KEY_FILE);
  try {
    const fd = fs.openSync(file, 'wx', 0o600);
    try {
      const key = crypto.randomBytes(32);
      fs.writeSync(fd, key.toString('hex'));
      fs.fsyncSync(fd);
      return key;
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stat = fs.statSync(file);
  if ((stat.mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  const text = fs.readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(text)) throw new Error(`${file} is not a relay key (64 hex characters)`);
  return Buffer.from(text, 'hex');
}
