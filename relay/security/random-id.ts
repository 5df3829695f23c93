import crypto from 'node:crypto';

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/**
 * `bytes` random bytes as base64url, for ids (messages, channels, request ids). The bytes come
 * from a pool refilled 4 KiB at a time from crypto.randomBytes, as Node's own randomUUID() does:
 * the same CSPRNG output, but one trip into OpenSSL per few hundred ids instead of one per id
 * (each trip cost 30–50 µs on the 2-core CI machine, and the relay makes two per accepted
 * message). Every byte is used once. Keys and tokens call crypto.randomBytes directly.
 */
export function randomId(bytes: number): string {
  if (bytes <= 0 || bytes > POOL_BYTES) throw new RangeError(`randomId: 1 to ${POOL_BYTES} bytes, not ${bytes}`);
  if (offset + bytes > pool.length) {
    pool = crypto.randomBytes(POOL_BYTES);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + bytes);
  offset += bytes;
  return id;
}

/**
 * An id that sorts by creation time: `prefix_`, the time in milliseconds as ten base-32 digits
 * (0-9 then a-v, so plain string order is time order, until the year 37,000), then 12 random bytes as
 * randomId gives them. For rows written at a high rate: in a B-tree keyed by id (a primary key),
 * ids in creation order keep each insert on the last page, written once per commit for every message
 * in it, where random ids put each insert on a page of its own. The random part keeps them unguessable.
 */
export function timeOrderedId(prefix: string, nowMs: number): string {
  const time = Math.max(0, Math.floor(nowMs)).toString(32).padStart(10, '0');
  return `${prefix}_${time}${randomId(12)}`;
}
