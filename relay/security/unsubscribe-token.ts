import crypto from 'node:crypto';

/**
 * Signed unsubscribe tokens: the link in a sequence email names who asked to
 * stop (the recipient) and for mail from which sending domain, with an HMAC
 * under a key only the relay knows, so nobody can unsubscribe somebody else by
 * editing a URL. Tokens do not expire: an unsubscribe link must keep working
 * as long as the mail that carried it can be read.
 *
 * Format: v1.<base64url(address|domain)>.<base64url(first 16 bytes of HMAC-SHA256)>
 * (a domain never contains "|", so the last "|" splits it off).
 */

const VERSION = 'v1';
const MAC_BYTES = 16;

export interface UnsubscribeClaim {
  address: string;
  domain: string;
}

const b64url = (b: Buffer) => b.toString('base64url');

function mac(key: Buffer, payload: string): Buffer {
  return crypto.createHmac('sha256', key).update(`sendway-unsubscribe:${VERSION}:${payload}`).digest().subarray(0, MAC_BYTES);
}

export function signUnsubscribe(key: Buffer, claim: UnsubscribeClaim): string {
  const payload = `${claim.address.toLowerCase()}|${claim.domain.toLowerCase()}`;
  return `${VERSION}.${b64url(Buffer.from(payload, 'utf8'))}.${b64url(mac(key, payload))}`;
}

/** The claim of a genuine token, or null for anything forged, truncated or malformed. */
export function verifyUnsubscribe(key: Buffer, token: string): UnsubscribeClaim | null {
  if (typeof token !== 'string' || token.length > 1200) return null;
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) return null;
  const [, body, sig] = parts as [string, string, string];
  if (!/^[A-Za-z0-9_-]+$/.test(body) || !/^[A-Za-z0-9_-]+$/.test(sig)) return null;
  const bodyBytes = Buffer.from(body, 'base64url');
  const given = Buffer.from(sig, 'base64url');
  // One spelling per token: the last base64url character carries unused low bits that the decoder
  // ignores, so without this a genuine token would have several valid spellings (malleable).
  if (b64url(bodyBytes) !== body || b64url(given) !== sig) return null;
  const payload = bodyBytes.toString('utf8');
  const expected = mac(key, payload);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  const cut = payload.lastIndexOf('|');
  if (cut <= 0) return null;
  const address = payload.slice(0, cut);
  const domain = payload.slice(cut + 1);
  if (!address.includes('@') || !domain || /[\r\n\0\s]/.test(payload)) return null;
  return { address, domain };
}
