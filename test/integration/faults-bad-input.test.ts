import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSmtpServer, type Received } from '../helpers/smtp-server';
import { createChannel, smtpChannel, startRelay, waitForStatus, type RunningRelay } from '../helpers/relay';

/**
 * Extends relay-bad-input.test.ts (266 requests on the API as first built)
 * with what it does not reach: every route the relay registers (read from the
 * Hono app itself, so routes added later are covered too) under generic
 * hostile requests; address rules z.email() alone misses; JSON tricks;
 * Authorization header variants; malformed HTTP below the app; and the other
 * side of "nothing malformed reaches the SMTP server" — input that is valid
 * but tricky (control and bidi characters, SMTP dot lines, overlong lines,
 * display names that look like addresses) arrives well-formed, with exactly
 * the recipients asked for.
 */
type Hostile = {
  name: string;
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  token?: 'rep' | 'admin' | 'none';
  status?: number;
  field?: string;
  /** A read-only GET without parameters may ignore an unknown query parameter (2xx), but never fail on it. */
  allow2xx?: boolean;
};

/** RFC 2047 encoded words (UTF-8, Q or B) back to text; adjacent words are joined before decoding, as the RFC says. */
function decodeWords(value: string): string {
  const bytes: number[] = [];
  for (const [, enc, data] of value.matchAll(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi)) {
    if (enc!.toUpperCase() === 'B') bytes.push(...Buffer.from(data!, 'base64'));
    else bytes.push(...Buffer.from(data!.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1'));
  }
  return bytes.length ? Buffer.from(bytes).toString('utf8') : value;
}

const HOSTILE_IDS = ['nope', '..%2F..%2Fetc%2Fpasswd', '%00', '%0d%0aX-Injected:%201', 'x'.repeat(300), "1'%20OR%20'1'%3D'1", '%E2%80%AE%D0%B0', '*', '%25%32%65'];
const HOSTILE_BODIES: [string, string, Record<string, string>?][] = [
  ['truncated JSON', '{"a":'],
  ['deep JSON', '['.repeat(20_000) + ']'.repeat(20_000)],
  ['prototype pollution', '{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}}}'],
  ['a JSON array', '[{"email":"a@b.test"}]'],
  ['JSON null', 'null'],
  ['a NUL escape', '{"name":"\\u0000","email":"a\\u0000@b.test"}'],
  ['not JSON content type', '{}', { 'Content-Type': 'text/plain' }],
  ['an oversized body', JSON.stringify({ text: 'x'.repeat(3 * 1024 * 1024) })],
];
const HOSTILE_QUERY = '?limit=-1&status=%00&before=%0d%0a&x[]=1&__proto__[admin]=1&channelId=..%2F&domain=%0d%0a';

describe('relay: hostile input beyond the first corpus', () => {
  const smtp = new TestSmtpServer();
  let relay: RunningRelay;
  let token: string;
  let admin: string;
  let channelId: string;

  beforeAll(async () => {
    await smtp.start();
    relay = await startRelay({ env: { RELAY_MAX_BODY: String(2 * 1024 * 1024), RELAY_AUTH_FAILURES_PER_MINUTE: '100000' } });
    token = await relay.createToken('rep@example.com');
    admin = await relay.createToken('it@example.com', true);
    channelId = await createChannel(relay, token, smtpChannel(smtp.port));
  });
  afterAll(async () => {
    await relay?.stop();
    await smtp.stop();
  });

  /**
   * One request on its own connection (Connection: close), so an answer the
   * server gives before reading a body cannot spill into the next case.
   */
  function request(method: string, urlPath: string, headers: Record<string, string>, body?: string): Promise<{ status: number; contentType: string; text: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(relay.url + urlPath, { method, headers: { ...headers, Connection: 'close' }, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      // The server may answer (413) and close before the whole body is written: the answer still counts.
      req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
      req.setTimeout(15_000, () => req.destroy(new Error('timeout')));
      req.end(body);
    });
  }

  /** Runs cases; returns every problem (a 5xx, a non-JSON error, a missing error body, a wrong status or field). */
  async function run(cases: Hostile[]): Promise<string[]> {
    const problems: string[] = [];
    let key = 0;
    for (const c of cases) {
      const headers: Record<string, string> = { 'Idempotency-Key': `hostile-${Date.now()}-${key++}`, ...c.headers };
      if (c.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
      if (c.token !== 'none' && !headers.Authorization) headers.Authorization = `Bearer ${c.token === 'admin' ? admin : token}`;
      let res: { status: number; contentType: string; text: string };
      try {
        res = await request(c.method, c.path, headers, c.body);
      } catch (error) {
        problems.push(`${c.name}: no answer (${(error as Error).message})`);
        continue;
      }
      const text = res.text;
      const html = res.contentType.startsWith('text/html');
      if (res.status >= 500 || (res.status < 400 && !(c.allow2xx && res.status < 300))) problems.push(`${c.name}: status ${res.status} ${text.slice(0, 160)}`);
      else if (c.status !== undefined && res.status !== c.status) problems.push(`${c.name}: status ${res.status}, expected ${c.status}: ${text.slice(0, 160)}`);
      if (/\bat .+\.(ts|js):\d+/.test(text)) problems.push(`${c.name}: stack trace in the response`);
      if (html) {
        // The public unsubscribe page answers people, in HTML: still a 4xx, and never an echo of the hostile input.
        if (!c.path.startsWith('/unsubscribe/')) problems.push(`${c.name}: HTML answer from an API route`);
        if (/<script|onerror=/i.test(text)) problems.push(`${c.name}: markup from the request echoed`);
        continue;
      }
      if (res.status < 300) continue; // a GET that ignores an unknown query parameter (allow2xx)
      let json: { error?: { code?: unknown; message?: unknown; field?: unknown } };
      try {
        json = JSON.parse(text);
      } catch {
        problems.push(`${c.name}: not JSON: ${text.slice(0, 80)}`);
        continue;
      }
      if (typeof json.error?.code !== 'string' || typeof json.error?.message !== 'string') problems.push(`${c.name}: no {error:{code,message}}: ${text.slice(0, 120)}`);
      const field = String(json.error?.field);
      if (c.field !== undefined && field !== c.field && !field.startsWith(`${c.field}.`)) problems.push(`${c.name}: field ${field}, expected ${c.field}: ${String(json.error?.message)}`);
    }
    return problems;
  }

  const routes = () =>
    [...new Map(relay.relay.app.routes.filter((r) => r.method !== 'ALL').map((r) => [`${r.method} ${r.path}`, r])).values()].map((r) => ({ method: r.method, path: r.path }));

  it('every route the relay registers answers hostile ids, bodies and queries with a 4xx and a clear error, never a 5xx', async () => {
    const all = routes();
    // The API as documented plus whatever else is mounted (unsubscribe pages, OAuth, suppressions…).
    expect(all.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(['POST /v1/messages', 'GET /v1/channels/:id', 'DELETE /v1/admin/tokens/:id', 'GET /v1/limits', 'GET /v1/me']));
    const cases: Hostile[] = [];
    const perRoute = new Map<string, number>();
    for (const r of all) {
      const label = `${r.method} ${r.path}`;
      const add = (c: Omit<Hostile, 'method'>) => {
        cases.push({ ...c, method: r.method, token: c.token ?? (r.path.startsWith('/v1/admin') ? 'admin' : undefined) });
        perRoute.set(label, (perRoute.get(label) ?? 0) + 1);
      };
      const params = r.path.match(/:\w+/g) ?? [];
      const paths = params.length ? HOSTILE_IDS.map((id) => r.path.replace(/:\w+/g, id)) : [r.path];
      const hasBody = ['POST', 'PATCH', 'PUT'].includes(r.method);
      if (r.path === '/healthz' || r.path === '/v1/openapi.json') {
        // Public and read-only: wrong methods and path tricks instead.
        for (const m of ['POST', 'PUT', 'DELETE', 'PATCH']) cases.push({ name: `${m} ${r.path}`, method: m, path: r.path, token: 'none', body: m === 'DELETE' ? undefined : '{}' });
        cases.push({ name: `${r.path} with a NUL`, method: 'GET', path: `${r.path}%00`, token: 'none' });
        perRoute.set(label, 5);
        continue;
      }
      for (const p of paths) {
        if (hasBody) for (const [what, body, headers] of HOSTILE_BODIES) add({ name: `${label} ${p.slice(0, 40)}: ${what}`, path: p, body, headers });
        else add({ name: `${label} ${p.slice(0, 40)}`, path: params.length ? p : p + HOSTILE_QUERY, allow2xx: !params.length });
      }
      if (!params.length && !hasBody) add({ name: `${label} with an empty query value`, path: `${r.path}?limit=&status=&before=`, allow2xx: true });
      if (r.path.startsWith('/v1/')) add({ name: `${label} without a token`, path: paths[0]!, token: 'none', status: 401, body: hasBody ? '{}' : undefined });
    }
    for (const [route, n] of perRoute) expect(n, route).toBeGreaterThanOrEqual(2);
    console.log(`[hostile input] ${cases.length} requests over ${perRoute.size} routes`);
    expect(cases.length).toBeGreaterThanOrEqual(200);
    expect(await run(cases)).toEqual([]);
  });

  it('refuses what z.email() lets through and JSON tricks, naming the field', async () => {
    const msg = (name: string, patch: Record<string, unknown>, field?: string): Hostile => ({
      name,
      method: 'POST',
      path: '/v1/messages',
      body: JSON.stringify({ channelId, from: 'rep@example.com', to: ['lead@customer.test'], subject: 's', text: 't', ...patch }),
      status: 400,
      field,
    });
    const raw = (name: string, body: string, field?: string): Hostile => ({ name, method: 'POST', path: '/v1/messages', body, status: 400, field });
    const base = () => `"channelId":"${channelId}","from":"rep@example.com","to":["a@b.test"],"text":"t"`;
    const cases: Hostile[] = [
      msg('local part of 65 characters', { to: [`${'x'.repeat(65)}@b.test`] }, 'to.0'),
      msg('domain label of 64 characters', { to: [`a@${'b'.repeat(64)}.test`] }, 'to.0'),
      msg('local part of 65 in cc', { cc: [`${'x'.repeat(65)}@b.test`] }, 'cc.0'),
      msg('long label in from', { from: `rep@${'e'.repeat(64)}.com` }, 'from'),
      msg('IP literal', { to: ['a@[127.0.0.1]'] }, 'to.0'),
      msg('IPv6 literal', { to: ['a@[IPv6:::1]'] }, 'to.0'),
      msg('quoted local part', { to: ['"a b"@example.com'] }, 'to.0'),
      msg('fullwidth at sign', { to: ['a\uff20b.test'] }, 'to.0'),
      msg('trailing dot', { to: ['a@b.test.'] }, 'to.0'),
      msg('dotless domain', { to: ['a@localhost'] }, 'to.0'),
      msg('percent hack', { to: ['victim%evil.test@b.test, c@d.test'] }, 'to.0'),
      msg('source route', { to: ['@relay.test:a@b.test'] }, 'to.0'),
      msg('comment in address', { to: ['a(comment)@b.test'] }, 'to.0'),
      msg('zero-width joiner', { to: ['a\u200d@b.test'] }, 'to.0'),
      msg('Cyrillic homoglyph in the From domain', { from: 'rep@ex\u0430mple.com' }, 'from'),
      msg('Greek omicron in the From local part', { from: 'rep@examp\u03bfle.com' }, 'from'),
      msg('named From with a homoglyph address', { from: { name: 'Rep', address: 'r\u0435p@example.com' } }, 'from'),
      { ...msg('punycode lookalike of another domain as From', { from: 'rep@xn--exmple-cua.com' }, 'from'), status: 403 }, // valid ASCII, not the rep's
      raw('duplicate key smuggling CRLF into the subject', `{${base()},"subject":"ok","subject":"x\\r\\nBcc: y@z.test"}`, 'subject'),
      raw('JSON-escaped CRLF in the subject', `{${base()},"subject":"x\\u000d\\u000aBcc: y@z.test"}`, 'subject'),
      raw('JSON-escaped NUL in a header value', `{${base()},"subject":"s","headers":{"X-A":"a\\u0000b"}}`, 'headers.X-A'),
      raw('JSON-escaped LF in a filename', `{${base()},"subject":"s","attachments":[{"filename":"a\\u000a.txt","contentType":"text/plain","contentBase64":"aGk="}]}`, 'attachments.0.filename'),
      raw('sendAt as 1e309 (Infinity)', `{${base()},"subject":"s","sendAt":1e309}`, 'sendAt'),
      raw('sendAt as -0', `{${base()},"subject":"s","sendAt":-0}`, 'sendAt'),
      raw('a number too big for an id', `{${base()},"subject":"s","channelId":123456789012345678901234567890}`, 'channelId'),
      raw('a subject object with toString', `{${base()},"subject":{"toString":"x"}}`, 'subject'),
      msg('date with a leap second', { sendAt: '2030-06-30T23:59:60Z' }, 'sendAt'),
      msg('date with an offset out of range', { sendAt: '2030-01-01T09:00:00+25:00' }, 'sendAt'),
      msg('date as a bare year', { sendAt: '2030' }, 'sendAt'),
      msg('base64url in an attachment', { attachments: [{ filename: 'a.bin', contentType: 'application/octet-stream', contentBase64: 'a-_b' }] }, 'attachments.0.contentBase64'),
      msg('base64 with embedded whitespace', { attachments: [{ filename: 'a.bin', contentType: 'application/octet-stream', contentBase64: 'aGVs bG8=' }] }, 'attachments.0.contentBase64'),
      msg('MIME type with parameters smuggled', { attachments: [{ filename: 'a.txt', contentType: 'text/plain;name="../../x"', contentBase64: 'aGk=' }] }, 'attachments.0.contentType'),
      { name: 'Idempotency-Key with a tab', method: 'POST', path: '/v1/messages', body: JSON.stringify({ channelId, from: 'rep@example.com', to: ['a@b.test'], subject: 's', text: 't' }), headers: { 'Idempotency-Key': 'a\tb' }, status: 400, field: 'Idempotency-Key' },
      { name: 'Idempotency-Key empty', method: 'POST', path: '/v1/messages', body: JSON.stringify({ channelId, from: 'rep@example.com', to: ['a@b.test'], subject: 's', text: 't' }), headers: { 'Idempotency-Key': '' }, status: 400, field: 'Idempotency-Key' },
      { name: 'channel: escaped CRLF in the host', method: 'POST', path: '/v1/channels', body: JSON.stringify(smtpChannel(25, { host: 'smtp.example.com\r\nRCPT TO:<x@y>' })), status: 400, field: 'host' },
      { name: 'channel: port 1e309', method: 'POST', path: '/v1/channels', body: JSON.stringify(smtpChannel(25)).replace('"port":25', '"port":1e309'), status: 400, field: 'port' },
      { name: 'channel: NUL in the password', method: 'POST', path: '/v1/channels', body: JSON.stringify(smtpChannel(25, { password: 'a\0b' })), status: 400, field: 'password' },
      { name: 'channel: homoglyph domain for a domain channel', method: 'POST', path: '/v1/channels', body: JSON.stringify(smtpChannel(25, { scope: 'domain', domains: ['ex\u0430mple.com'] })), status: 400, field: 'domains.0' },
      { name: 'channel patch: password as an array', method: 'PATCH', path: `/v1/channels/${channelId}`, body: '{"password":["a"]}', status: 400, field: 'password' },
      { name: 'channel patch: NUL in the password', method: 'PATCH', path: `/v1/channels/${channelId}`, body: '{"password":"a\\u0000b"}', status: 400, field: 'password' },
      { name: 'admin: a token for a homoglyph address', method: 'POST', path: '/v1/admin/tokens', body: JSON.stringify({ tokens: [{ email: 'r\u0435p@example.com' }] }), token: 'admin', status: 400 },
    ];
    // Authorization header variants: each a 401 with a JSON error, none a 500.
    for (const [label, value] of [
      ['no scheme', token],
      ['Basic', `Basic ${Buffer.from('rep@example.com:pw').toString('base64')}`],
      ['empty bearer', 'Bearer'],
      ['bearer and spaces', 'Bearer    '],
      ['a 10 kB token', `Bearer swr_${'a'.repeat(10_000)}`],
      ['latin-1 token', 'Bearer swr_\u00e9\u00e8\u00ea'],
      ['two tokens', `Bearer ${token} ${token}`],
      ['token with a tab inside', `Bearer ${token.slice(0, 10)}\t${token.slice(10)}`],
      ['a JWT', 'Bearer eyJhbGciOiJub25lIn0.eyJhZG1pbiI6dHJ1ZX0.'],
      ['SQL in the token', "Bearer swr_' OR '1'='1"],
    ] as const) {
      cases.push({ name: `Authorization: ${label}`, method: 'GET', path: '/v1/me', headers: { Authorization: value }, token: 'none', status: 401 });
    }
    expect(await run(cases)).toEqual([]);
  });

  it('malformed HTTP below the app is refused by the server with a 4xx, and the relay keeps serving', async () => {
    const port = Number(new URL(relay.url).port);
    const rawRequest = (bytes: Buffer | string) =>
      new Promise<string>((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        let out = '';
        s.on('data', (d) => (out += d.toString('latin1')));
        s.on('close', () => resolve(out));
        s.on('error', () => resolve(out));
        s.setTimeout(5_000, () => s.destroy());
        s.end(bytes);
      });
    const auth = `Authorization: Bearer ${token}\r\n`;
    const post = (headers: string, body = '{}') => `POST /v1/messages HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const problems: string[] = [];
    for (const [label, request] of [
      ['NUL in a header value', post('Idempotency-Key: a\0b\r\n')],
      ['bare CR in a header value', post('Idempotency-Key: a\rBcc: x\r\n')],
      ['header without a colon', post('Idempotency-Key a\r\n')],
      ['space before the colon', post('Idempotency-Key : a\r\n')],
      ['a 100 kB header line', post(`X-Long: ${'a'.repeat(100_000)}\r\n`)],
      ['a 100 kB URL', `GET /v1/messages/${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n${auth}\r\n`],
      ['Content-Length and Transfer-Encoding together (smuggling)', `POST /v1/messages HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /v1/me HTTP/1.1\r\nHost: x\r\n\r\n`],
      ['two Content-Lengths', `POST /v1/messages HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}`],
      ['a broken chunk size', `POST /v1/messages HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`],
      ['an invalid method token', `G(T /v1/me HTTP/1.1\r\nHost: x\r\n\r\n`],
      ['HTTP/9.9', `GET /v1/me HTTP/9.9\r\nHost: x\r\n\r\n`],
      ['UTF-8 in the header name', post('Idempotency-K\u00e9y: a\r\n')],
      // Bodies over a route's limit, made of a second request: answered once (413), never run as a request of their own.
      ['an oversized unsubscribe body carrying a second request (smuggling)', `POST /unsubscribe/x HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 20000\r\n\r\n${`GET /v1/me HTTP/1.1\r\nHost: x\r\n${auth}\r\n`.padEnd(20_000, ' ')}`],
      ['an oversized API body carrying a second request (smuggling)', post('Idempotency-Key: big\r\n', `GET /v1/me HTTP/1.1\r\nHost: x\r\n${auth}\r\n`.padEnd(2.5 * 1024 * 1024, ' '))],
    ] as const) {
      const answer = await rawRequest(Buffer.from(request, 'latin1'));
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1]);
      if (!(status >= 400 && status < 500)) problems.push(`${label}: ${answer.split('\r\n')[0] || '(no answer)'}`);
      // Smuggling: no second response for the request hidden in the body.
      if (label.includes('smuggling') && ((answer.match(/^HTTP\/1\.1 /gm) ?? []).length > 1 || answer.includes('"email"'))) problems.push(`${label}: answered a smuggled request`);
    }
    expect(problems).toEqual([]);
    expect((await relay.call(token, 'GET', '/v1/me')).status).toBe(200);
  });

  it('nothing from the hostile requests was queued or reached the SMTP server, and no error escaped', async () => {
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.received).toHaveLength(0);
    const listed = (await (await relay.call(token, 'GET', '/v1/messages')).json()) as { messages: unknown[] };
    expect(listed.messages).toHaveLength(0);
    expect(relay.logs.filter((l) => /unhandled_error|"level":"error"/.test(l))).toEqual([]);
  });

  describe('tricky but valid input reaches the SMTP server well-formed', () => {
    type Case = { name: string; patch: Record<string, unknown>; check: (r: Received) => void; rcpt?: string[] };
    const long = 'Ünïcödé '.repeat(124).slice(0, 998);
    const cases: Case[] = [
      {
        name: 'control, bidi and line-separator characters in subject, names and X- header',
        patch: { subject: 'a\u000bb\u000cc\u0001d\u007f e\u2028f\u2029g\u0085h \u202egnp.exe', from: { name: 'R\u0001e\u001bp \u202e', address: 'rep@example.com' }, headers: { 'X-Tag': 'a\u0008b\u2028c' } },
        check: (r) => {
          expect(r.parsed.subject).toBe('a\u000bb\u000cc\u0001d\u007f e\u2028f\u2029g\u0085h \u202egnp.exe');
          // mailparser leaves X- headers encoded: decode the RFC 2047 words here.
          expect(decodeWords(String(r.parsed.headers.get('x-tag')))).toBe('a\u0008b\u2028c');
        },
      },
      {
        name: 'display names that look like addresses and header syntax',
        patch: {
          from: { name: 'ceo@bank.example <ceo@bank.example>, "x" <evil@evil.test>', address: 'rep@example.com' },
          to: [{ name: 'Smith, John <victim@evil.test>; Bcc: all@corp.example', address: 'lead@customer.test' }],
          replyTo: { name: '=?utf-8?q?evil?= <a@evil.test>', address: 'rep@example.com' },
        },
        rcpt: ['lead@customer.test'],
        check: (r) => {
          const from = r.parsed.from!.value;
          expect(from).toEqual([{ name: 'ceo@bank.example <ceo@bank.example>, "x" <evil@evil.test>', address: 'rep@example.com' }]);
          const to = (Array.isArray(r.parsed.to) ? r.parsed.to : [r.parsed.to!]).flatMap((a) => a.value);
          expect(to).toEqual([{ name: 'Smith, John <victim@evil.test>; Bcc: all@corp.example', address: 'lead@customer.test' }]);
          expect(r.parsed.bcc).toBeUndefined();
        },
      },
      {
        name: 'SMTP end-of-data lines and commands inside the body (smuggling attempt)',
        patch: { text: 'hi\r\n.\r\nMAIL FROM:<x@evil.test>\r\nRCPT TO:<victim@evil.test>\r\nDATA\r\nsmuggled\r\n.\r\nQUIT\n.\nlf-dot\r.\rcr-dot\n.\r\nmixed', html: '<p>a</p>\r\n.\r\n<p>b</p>' },
        rcpt: ['lead@customer.test'],
        check: (r) => {
          expect(r.parsed.text).toContain('MAIL FROM:<x@evil.test>');
          expect(r.parsed.text).toContain('mixed');
        },
      },
      {
        name: 'a 998-character non-ASCII subject and 100,000-character lines',
        patch: { subject: long, text: 'x'.repeat(100_000), html: `<p>${'y'.repeat(100_000)}</p>` },
        check: (r) => {
          expect(r.parsed.subject).toBe(long);
          expect(r.parsed.text!.replace(/\s/g, '')).toBe('x'.repeat(100_000));
        },
      },
      {
        name: 'an attachment named with quotes, a parameter lookalike and non-ASCII (right-to-left included)',
        patch: { attachments: [{ filename: 'factuur "2024"; name=x.exe \u05d7\u05e9\u05d1\u05d5\u05df\u200f é.pdf', contentType: 'application/pdf', contentBase64: Buffer.from('%PDF-1.4').toString('base64') }] },
        check: (r) => {
          expect(r.parsed.attachments).toHaveLength(1);
          expect(r.parsed.attachments[0]!.filename).toBe('factuur "2024"; name=x.exe \u05d7\u05e9\u05d1\u05d5\u05df\u200f é.pdf');
          expect(r.parsed.attachments[0]!.content.toString()).toBe('%PDF-1.4');
        },
      },
      {
        name: 'a homoglyph display name in From over the real address',
        patch: { from: { name: '\u0420\u0430\u0443\u0440\u0430l Support', address: 'rep@example.com' } },
        check: (r) => expect(r.parsed.from!.value).toEqual([{ name: '\u0420\u0430\u0443\u0440\u0430l Support', address: 'rep@example.com' }]),
      },
      {
        name: '1,000 recipients and 100 references',
        patch: { to: Array.from({ length: 1000 }, (_, i) => `r${i}@customer.test`), references: Array.from({ length: 100 }, (_, i) => `<ref${i}@thread.example>`) },
        rcpt: Array.from({ length: 1000 }, (_, i) => `r${i}@customer.test`),
        check: (r) => {
          const to = (Array.isArray(r.parsed.to) ? r.parsed.to : [r.parsed.to!]).flatMap((a) => a.value);
          expect(to).toHaveLength(1000);
          expect(r.parsed.references).toHaveLength(100);
        },
      },
    ];

    it.each(cases)('$name', async ({ patch, check, rcpt }) => {
      smtp.clear();
      const res = await relay.call(token, 'POST', '/v1/messages', { channelId, from: 'rep@example.com', to: ['lead@customer.test'], subject: 'tricky', text: 'body', ...patch }, { 'Idempotency-Key': `tricky-${Date.now()}-${Math.random()}` });
      const body = (await res.json()) as { id: string; messageId: string };
      expect(res.status, JSON.stringify(body)).toBe(202);
      expect((await waitForStatus(relay, token, body.id, ['sent', 'failed'])).status).toBe('sent');
      await new Promise((r) => setTimeout(r, 200));
      expect(smtp.received).toHaveLength(1); // one message: nothing split off a second one
      const r = smtp.received[0]!;
      const raw = r.raw.toString('latin1');
      const lines = raw.split('\r\n');
      expect(Math.max(...lines.map((l) => l.length)), 'longest line in octets').toBeLessThanOrEqual(998);
      expect(raw, 'bare CR or LF').not.toMatch(/\r(?!\n)|(?<!\r)\n/);
      expect(raw, 'raw control characters').not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/);
      expect(raw, '8-bit octets').not.toMatch(/[^\x00-\x7f]/);
      const head = lines.slice(0, lines.indexOf(''));
      const names = head.filter((l) => /^[!-9;-~]+:/.test(l)).map((l) => l.slice(0, l.indexOf(':')).toLowerCase());
      for (const once of ['from', 'to', 'subject', 'message-id', 'date']) expect(names.filter((n) => n === once), once).toHaveLength(1);
      expect(names).not.toContain('bcc');
      for (const n of names) expect(n, `unexpected header ${n}`).toMatch(/^(from|to|cc|reply-to|subject|message-id|date|mime-version|content-type|content-transfer-encoding|in-reply-to|references|x-[a-z0-9-]+|list-unsubscribe|list-unsubscribe-post)$/);
      expect(r.parsed.messageId).toBe(body.messageId);
      expect(r.envelope.from).toBe('rep@example.com');
      expect(r.envelope.to.sort()).toEqual((rcpt ?? ['lead@customer.test']).sort());
      check(r);
    });
  });
});
