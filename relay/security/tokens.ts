import crypto from 'node:crypto';
import { randomId } from './random-id';

/** Bearer tokens: 32 random bytes, prefixed so leaked tokens are recognisable in scanners. */
export const TOKEN_PREFIX = 'swr_';

export function newToken(): string {
  return TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
}

/** Tokens are high-entropy, so a plain SHA-256 is enough to store them; no salt or KDF needed. */
export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

export function looksLikeToken(token: string): boolean {
  return /^swr_[A-Za-z0-9_-]{43}$/.test(token);
}

export function newId(prefix: string): string {
  return `${prefix}_${randomId(12)}`;
}
