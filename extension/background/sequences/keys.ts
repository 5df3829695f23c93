/**
 * The idempotency key of one step for one contact: `sequenceId:contact:step`,
 * plus `:rN` once the contact was resumed N times (a resumed step is a new
 * send: the relay still holds the old key, cancelled). The same step always
 * gets the same key, so a retried hand-over — after a lost answer, a crash,
 * or a browser start catching up — finds the first attempt instead of sending
 * again. Keys are printable ASCII and at most 200 characters (the relay's
 * and mail.send's rule); a very long address is replaced by its hash.
 */
export async function stepKey(sequenceId: string, address: string, step: number, rev: number): Promise<string> {
  const suffix = `:${step}${rev > 0 ? `:r${rev}` : ''}`;
  const plain = `${sequenceId}:${address.toLowerCase()}${suffix}`;
  if (plain.length <= 200 && /^[\x21-\x7e]+$/.test(plain)) return plain;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(address.toLowerCase())));
  const hex = [...digest.slice(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${sequenceId}:h${hex}${suffix}`;
}
