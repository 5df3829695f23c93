/**
 * The few encodings mimetext leaves to its caller. mimetext writes headers
 * and structure but puts body data in verbatim and emits each encoded header
 * as one unbounded encoded-word; these keep every line within RFC 5322's 998
 * characters and every encoded-word within RFC 2047's 75.
 */
const utf8 = new TextEncoder();

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function base64Utf8(text: string): string {
  return bytesToBase64(utf8.encode(text));
}

/** Splits base64 into 76-character lines, as MIME requires for body parts. */
export function wrapBase64(b64: string): string {
  return b64.replace(/.{1,76}/g, '$&\r\n').replace(/\r\n$/, '');
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * RFC 2047 encoded-words, each at most 75 characters, split on whole
 * characters (never inside a UTF-8 sequence), folded onto continuation lines.
 */
export function encodeWords(text: string): string {
  const maxBytes = 45; // 45 bytes -> 60 base64 chars + "=?UTF-8?B??=" (12) = 72
  const words: string[] = [];
  let chunk = '';
  let chunkBytes = 0;
  for (const ch of text) {
    const n = utf8.encode(ch).length;
    if (chunkBytes + n > maxBytes && chunk) {
      words.push(chunk);
      chunk = '';
      chunkBytes = 0;
    }
    chunk += ch;
    chunkBytes += n;
  }
  if (chunk || words.length === 0) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${base64Utf8(w)}?=`).join('\r\n ');
}

/** Unstructured header text (Subject): plain when it is short printable ASCII, else encoded-words. */
export function encodeUnstructured(text: string): string {
  if (PRINTABLE_ASCII.test(text) && text.length <= 900 && !/=\?/.test(text)) return text;
  return encodeWords(text);
}

/** A display name: a quoted-string when ASCII, encoded-words otherwise. */
export function encodeDisplayName(name: string): string {
  if (PRINTABLE_ASCII.test(name) && name.length <= 200 && !/=\?/.test(name)) {
    return `"${name.replace(/[\\"]/g, '\\$&')}"`;
  }
  return encodeWords(name);
}

export function formatMailbox(m: { name?: string; addr: string }): string {
  return m.name ? `${encodeDisplayName(m.name)} <${m.addr}>` : `<${m.addr}>`;
}

/**
 * A filename parameter for Content-Type/Content-Disposition: quoted ASCII, or
 * RFC 2231 (`filename*=UTF-8''…`) plus an encoded-word fallback for clients
 * that only know RFC 2047.
 */
export function filenameParams(param: 'name' | 'filename', filename: string): string {
  if (PRINTABLE_ASCII.test(filename)) return `${param}="${filename.replace(/[\\"]/g, '\\$&')}"`;
  const pct = Array.from(utf8.encode(filename), (b) =>
    /[A-Za-z0-9!#$&+.^_`|~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('');
  return param === 'filename' ? `${param}*=UTF-8''${pct}` : `${param}="${encodeWords(filename).replace(/\r\n /g, ' ')}"`;
}

/**
 * Quoted-printable (RFC 2045) over UTF-8 with CRLF line ends and soft breaks
 * at 76. Chosen over base64 for text bodies: mostly-ASCII text stays readable
 * and spam filters score base64-wrapped plain text against the sender.
 */
export function quotedPrintable(text: string): string {
  const lines = text.replace(/\r\n|\r|\n/g, '\n').split('\n');
  const out: string[] = [];
  for (const line of lines) {
    const bytes = utf8.encode(line);
    let current = '';
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      const last = i === bytes.length - 1;
      let token: string;
      if ((b === 0x20 || b === 0x09) && last) token = b === 0x20 ? '=20' : '=09';
      else if ((b >= 33 && b <= 126 && b !== 61) || b === 0x20 || b === 0x09) token = String.fromCharCode(b);
      else token = `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
      // Keep multi-byte characters on one line: a soft break between the bytes of one is legal but ugly.
      let group = token;
      if (b >= 0xc0) {
        const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
        for (let k = 1; k < len && i + 1 < bytes.length; k++) group += `=${bytes[++i]!.toString(16).toUpperCase().padStart(2, '0')}`;
      }
      if (current.length + group.length > 75) {
        out.push(current + '=');
        current = '';
      }
      current += group;
    }
    out.push(current);
  }
  return out.join('\r\n');
}

/** Folds a list of message ids (References) onto continuation lines. */
export function foldIds(ids: string[]): string {
  return ids.join('\r\n ');
}

export function toBase64Url(raw: string): string {
  return bytesToBase64(utf8.encode(raw)).replace(/\+/g, '-').replace(/\//g, '_');
}

export function byteLength(text: string): number {
  return utf8.encode(text).length;
}
