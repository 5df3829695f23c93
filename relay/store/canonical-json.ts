/**
 * JSON with every object's keys sorted: the same request always spells the same text, so its hash
 * tells a replay (same Idempotency-Key, same message) from a different message under the same key.
 * It is also plain JSON of the same value (undefined properties left out, as JSON.stringify does), so
 * the relay stores this text as the message's content instead of serialising the request twice.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i) out += ',';
      const v = value[i];
      out += v === undefined || typeof v === 'function' ? 'null' : canonicalJson(v);
    }
    return out + ']';
  }
  if (value !== null && typeof value === 'object') {
    let out = '{';
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v === undefined || typeof v === 'function') continue;
      if (out.length > 1) out += ',';
      out += JSON.stringify(k) + ':' + canonicalJson(v);
    }
    return out + '}';
  }
  return JSON.stringify(value);
}
