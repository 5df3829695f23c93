import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEY_FILE, loadKey, secretBox } from './secrets';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-key-'));

describe('secret box (AES-256-GCM)', () => {
  it('round-trips and never contains the plaintext', () => {
    const box = secretBox(loadKey('a passphrase of some length', tmp()));
    const sealed = box.seal('hunter2-password', 'ch_1');
    expect(sealed).not.toContain('hunter2');
    expect(box.open(sealed, 'ch_1')).toBe('hunter2-password');
    expect(box.seal('same', 'ch_1')).not.toBe(box.seal('same', 'ch_1'));
  });

  it('refuses a ciphertext moved to another row or tampered with', () => {
    const box = secretBox(loadKey(undefined, tmp()));
    const sealed = box.seal('secret', 'ch_1');
    expect(() => box.open(sealed, 'ch_2')).toThrow();
    const parts = sealed.split(':');
    parts[3] = Buffer.from('x' + Buffer.from(parts[3]!, 'base64').toString('latin1'), 'latin1').toString('base64');
    expect(() => box.open(parts.join(':'), 'ch_1')).toThrow();
  });

  it('generates the key once into the data dir with mode 0600 and reuses it', () => {
    const dir = tmp();
    const a = loadKey(undefined, dir);
    const stat = fs.statSync(path.join(dir, KEY_FILE));
    expect(stat.mode & 0o777).toBe(0o600);
    expect(loadKey(undefined, dir).equals(a)).toBe(true);
    const sealed = secretBox(a).seal('x', 'id');
    expect(secretBox(loadKey(undefined, dir)).open(sealed, 'id')).toBe('x');
  });

  it('uses a 64-hex RELAY_SECRET as the key itself', () => {
    const hex = 'ab'.repeat(32);
    expect(loadKey(hex, tmp()).toString('hex')).toBe(hex);
  });
});
