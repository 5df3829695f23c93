import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSmtpServer } from '../helpers/smtp-server';
import { createChannel, smtpChannel, startRelay, type RunningRelay } from '../helpers/relay';

type Case = { name: string; method: string; path: string; body?: unknown; raw?: string; headers?: Record<string, string>; status?: number; field?: string; admin?: boolean };

// A corpus of hostile and malformed requests to every endpoint: each gets a
// 4xx with a JSON error naming the problem, none a 5xx, and nothing reaches
// the SMTP server.
describe('relay bad input corpus', () => {
  const smtp = new TestSmtpServer();
  let relay: RunningRelay;
  let token: string;
  let admin: string;
  let channelId: string;

  beforeAll(async () => {
    await smtp.start();
    relay = await startRelay({ env: { RELAY_MAX_BODY: String(2 * 1024 * 1024) } });
    token = await relay.createToken('rep@example.com');
    admin = await relay.createToken('it@example.com', true);
    channelId = await createChannel(relay, token, smtpChannel(smtp.port));
  });
  afterAll(async () => {
    await relay?.stop();
    await smtp.stop();
  });

  const good = () => ({ channelId, from: 'rep@example.com', to: ['lead@customer.test'], subject: 'hello', text: 'body' });
  const msg = (name: string, patch: Record<string, unknown>, field?: string, status = 400): Case => ({
    name: `message: ${name}`,
    method: 'POST',
    path: '/v1/messages',
    body: { ...good(), ...patch },
    field,
    status,
  });
  const att = (a: Record<string, unknown>) => [{ filename: 'a.txt', contentType: 'text/plain', contentBase64: 'aGk=', ...a }];

  // Built lazily: the channel id and SMTP port exist only after beforeAll.
  const buildCases = (): Case[] => {
  const cases: Case[] = [];
  // Header injection: CR, LF, NUL wherever a value could reach a header.
  for (const [label, bad] of [['CRLF', 'x\r\nBcc: victim@evil.test'], ['LF', 'x\nBcc: victim@evil.test'], ['CR', 'x\rX: y'], ['NUL', 'x\0y']] as const) {
    cases.push(msg(`${label} in subject`, { subject: bad }, 'subject'));
    cases.push(msg(`${label} in from name`, { from: { name: bad, address: 'rep@example.com' } }, 'from.name'));
    cases.push(msg(`${label} in to address`, { to: [`lead@customer.test${bad}`] }, 'to.0'));
    cases.push(msg(`${label} in cc name`, { cc: [{ name: bad, address: 'a@b.test' }] }, 'cc.0.name'));
    cases.push(msg(`${label} in bcc`, { bcc: [`a@b.test${bad}`] }, 'bcc.0'));
    cases.push(msg(`${label} in replyTo`, { replyTo: `a@b.test${bad}` }, 'replyTo'));
    cases.push(msg(`${label} in filename`, { attachments: att({ filename: `a${bad}.txt` }) }, 'attachments.0.filename'));
    cases.push(msg(`${label} in content type`, { attachments: att({ contentType: `text/plain${bad}` }) }, 'attachments.0.contentType'));
    cases.push(msg(`${label} in X- header value`, { headers: { 'X-Tag': bad } }, 'headers.X-Tag'));
    cases.push(msg(`${label} in inReplyTo`, { inReplyTo: `<a@b>${bad}` }, 'inReplyTo'));
    cases.push(msg(`${label} in references`, { references: [`<a@b>${bad}`] }, 'references.0'));
    cases.push(msg(`${label} in header name`, { headers: { [`X-A${bad}`]: 'v' } }));
  }
  // Invalid and internationalised addresses, homoglyphs.
  for (const a of ['a', 'a@', '@b.test', 'a b@c.test', 'a@b@c.test', 'jörg@example.de', 'x@bücher.de', 'rep@exаmple.com', 'rep@example..com', '"a"@', 'x'.repeat(250) + '@b.test', '<a@b.test>', 'a@b.test, c@d.test', '']) {
    cases.push(msg(`bad to ${JSON.stringify(a).slice(0, 30)}`, { to: [a] }, 'to.0'));
  }
  cases.push(msg('homoglyph From domain', { from: 'rep@exаmple.com' }, 'from'));
  cases.push(msg('unicode From local part', { from: 'rеp@example.com' }, 'from'));
  // Overlong values.
  cases.push(msg('overlong subject', { subject: 's'.repeat(999) }, 'subject'));
  cases.push(msg('overlong from name', { from: { name: 'n'.repeat(201), address: 'rep@example.com' } }, 'from.name'));
  cases.push(msg('overlong filename', { attachments: att({ filename: 'f'.repeat(256) }) }, 'attachments.0.filename'));
  cases.push(msg('overlong header value', { headers: { 'X-Long': 'v'.repeat(999) } }, 'headers.X-Long'));
  cases.push(msg('overlong header name', { headers: { ['X-' + 'a'.repeat(71)]: 'v' } }));
  cases.push(msg('too many recipients in to', { to: Array.from({ length: 1001 }, (_, i) => `r${i}@c.test`) }, 'to'));
  cases.push(msg('too many references', { references: Array.from({ length: 101 }, (_, i) => `<r${i}@c.test>`) }, 'references'));
  cases.push(msg('too many attachments', { attachments: Array.from({ length: 21 }, () => att({})[0]) }, 'attachments'));
  cases.push(msg('too many headers', { headers: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, 'v'])) }, 'headers'));
  // Wrong types.
  for (const [k, v] of [
    ['to', 'lead@customer.test'], ['to', null], ['to', {}], ['subject', 5], ['subject', null], ['text', {}], ['html', []],
    ['channelId', 1], ['channelId', ''], ['channelId', '../../etc/passwd'], ['channelId', 'x'.repeat(65)], ['from', 42], ['from', ['rep@example.com']],
    ['cc', 'a@b.test'], ['attachments', {}], ['headers', []], ['headers', 'X-A: b'], ['sendAt', 1735689600000], ['replyTo', []], ['references', '<a@b>'],
  ] as const) {
    cases.push(msg(`wrong type ${k}=${JSON.stringify(v).slice(0, 20)}`, { [k]: v }, k));
  }
  // Unknown fields, including ones nodemailer would act on.
  for (const k of ['bogus', 'envelope', 'messageId', 'date', 'dsn', 'raw', 'priority', 'sender', 'list', '__proto__', 'constructor', 'attachDataUrls']) {
    cases.push({ name: `message: unknown field ${k}`, method: 'POST', path: '/v1/messages', raw: JSON.stringify(good()).replace(/}$/, `,${JSON.stringify(k)}:{"x":1}}`), status: 400 });
  }
  for (const k of ['path', 'href', 'raw', 'cid', 'encoding', 'contentDisposition']) {
    cases.push(msg(`unknown attachment field ${k}`, { attachments: att({ [k]: '/etc/passwd' }) }, `attachments.0.${k}`));
  }
  cases.push(msg('unknown field in named address', { from: { name: 'R', address: 'rep@example.com', extra: 1 } }));
  // Bad base64 and MIME types.
  for (const b of ['abc', '====', 'ab$d', 'aGk=\n', 'aGk', 'a===', ' aGk=', 'aGk=aGk=']) cases.push(msg(`bad base64 ${JSON.stringify(b)}`, { attachments: att({ contentBase64: b }) }, 'attachments.0.contentBase64'));
  for (const t of ['text', 'text/', '/plain', 'text/plain; charset=utf-8', 'text plain', '../x']) cases.push(msg(`bad content type ${t}`, { attachments: att({ contentType: t }) }, 'attachments.0.contentType'));
  // Bidirectional overrides, embeddings and isolates would let a name show another extension than the real one.
  for (const f of ['invoice\u202efdp.exe', 'a\u202ab.txt', 'a\u202db.txt', 'a\u2066b\u2069.txt', 'a\u2067b.txt']) cases.push(msg(`bidi control in filename ${JSON.stringify(f)}`, { attachments: att({ filename: f }) }, 'attachments.0.filename'));
  for (const f of ['../etc/passwd', 'a/b.txt', 'a\\b.txt', '']) cases.push(msg(`bad filename ${JSON.stringify(f)}`, { attachments: att({ filename: f }) }, 'attachments.0.filename'));
  // Bad dates.
  for (const d of ['tomorrow', '2030-13-01T00:00:00Z', '2030-02-30T00:00:00Z', '2030-01-01', '2030-01-01T25:00:00Z', '', '2030-01-01T00:00:00', '9999-12-31T23:59:59Z']) {
    cases.push(msg(`bad sendAt ${JSON.stringify(d)}`, { sendAt: d }, 'sendAt'));
  }
  // Standard headers are the relay's own.
  for (const h of ['Bcc', 'Subject', 'From', 'Received', 'Content-Type', 'Message-ID', 'X Spaced', 'X-', 'x_under']) cases.push(msg(`header ${h}`, { headers: { [h]: 'v' } }));
  // Missing pieces.
  for (const k of ['channelId', 'from', 'to', 'subject'] as const) {
    const b: Record<string, unknown> = good();
    delete b[k];
    cases.push({ name: `message: missing ${k}`, method: 'POST', path: '/v1/messages', body: b, status: 400, field: k });
  }
  cases.push({ name: 'message: neither text nor html', method: 'POST', path: '/v1/messages', body: { channelId, from: 'rep@example.com', to: ['a@b.test'], subject: 's' }, status: 400, field: 'text' });
  cases.push(msg('empty to', { to: [] }, 'to'));
  cases.push(msg('number in to', { to: [1] }, 'to.0'));
  cases.push(msg('unknown channel', { channelId: 'ch_doesnotexist' }, 'channelId', 404));
  // Raw JSON trouble.
  for (const [label, raw] of [
    ['empty body', ''], ['truncated', '{"channelId":'], ['trailing garbage', '{}x'], ['single quotes', "{'a':1}"], ['null', 'null'], ['array', '[]'],
    ['string', '"hello"'], ['number', '123'], ['deep nesting', '['.repeat(100_000) + ']'.repeat(100_000)], ['deep object', '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000)],
    ['only a BOM', '\ufeff'], ['NaN', '{"subject":NaN}'], ['comments', '{/* c */}'], ['lone surrogate', '{"subject":"\\ud800"}'],
  ] as const) {
    cases.push({ name: `message: raw ${label}`, method: 'POST', path: '/v1/messages', raw, status: 400 });
  }
  cases.push({ name: 'message: over RELAY_MAX_BODY', method: 'POST', path: '/v1/messages', body: { ...good(), text: 'x'.repeat(3 * 1024 * 1024) }, status: 413 });
  cases.push({ name: 'message: text/plain', method: 'POST', path: '/v1/messages', raw: JSON.stringify(good()), headers: { 'Content-Type': 'text/plain' }, status: 415 });
  cases.push({ name: 'message: form', method: 'POST', path: '/v1/messages', raw: 'a=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, status: 415 });
  cases.push({ name: 'message: multipart', method: 'POST', path: '/v1/messages', raw: '--x--', headers: { 'Content-Type': 'multipart/form-data; boundary=x' }, status: 415 });
  cases.push({ name: 'message: xml', method: 'POST', path: '/v1/messages', raw: '<a/>', headers: { 'Content-Type': 'application/xml' }, status: 415 });
  cases.push({ name: 'message: overlong Idempotency-Key', method: 'POST', path: '/v1/messages', body: good(), headers: { 'Idempotency-Key': 'k'.repeat(201) }, status: 400, field: 'Idempotency-Key' });
  cases.push({ name: 'message: latin1 Idempotency-Key', method: 'POST', path: '/v1/messages', body: good(), headers: { 'Idempotency-Key': 'caf\u00e9' }, status: 400, field: 'Idempotency-Key' });

  // Channels.
  const ch = (name: string, patch: Record<string, unknown>, field?: string, status = 400): Case => ({
    name: `channel: ${name}`,
    method: 'POST',
    path: '/v1/channels',
    body: { ...smtpChannel(smtp.port), ...patch },
    field,
    status,
  });
  for (const [k, v] of [
    ['provider', 'gmail'], ['provider', 1], ['port', 0], ['port', 70000], ['port', '25'], ['port', 25.5], ['host', 'evil host'], ['host', 'a\r\nb'], ['host', 'http://x'],
    ['host', ''], ['name', 'n\0'], ['name', ''], ['name', 'n'.repeat(101)], ['password', ''], ['password', 'p'.repeat(1001)], ['password', 5], ['username', 'u\r\nRCPT TO:<x@y>'],
    ['scope', 'global'], ['security', 'ssl'], ['domains', 'example.com'], ['domains', ['*.example.com']], ['domains', ['exa mple.com']], ['domains', []],
    ['limits', { perMinute: -1 }], ['limits', { perMinute: 1.5 }], ['limits', { perDayUnit: 'recipients' }], ['limits', { bogus: 1 }], ['limits', 'fast'],
  ] as const) {
    cases.push(ch(`${k}=${JSON.stringify(v).slice(0, 20)}`, { [k]: v }, k));
  }
  for (const k of ['admin', 'ownerEmail', 'id', 'status', 'auth']) cases.push(ch(`unknown field ${k}`, { [k]: 'x' }, k));
  cases.push(ch('custom smtp without host', { host: undefined }, 'host'));
  cases.push(ch('domain scope without domains', { scope: 'domain' }, 'domains'));
  cases.push(ch('personal scope with domains', { domains: ['example.com'] }, 'domains'));
  cases.push(ch('metadata host', { host: '169.254.169.254' }, 'host', 422));
  cases.push(ch('private host', { host: '192.168.1.10' }, 'host', 422));
  cases.push(ch('IPv6 metadata host', { host: 'fd00:ec2::254' }, 'host', 422));
  cases.push({ name: 'channel: text/plain', method: 'POST', path: '/v1/channels', raw: '{}', headers: { 'Content-Type': 'text/plain' }, status: 415 });
  cases.push({ name: 'channel: malformed', method: 'POST', path: '/v1/channels', raw: '{"name":', status: 400 });
  cases.push({ name: 'channel patch: unknown field scope', method: 'PATCH', path: `/v1/channels/__CH__`, body: { scope: 'domain' }, status: 400, field: 'scope' });
  cases.push({ name: 'channel patch: CRLF username', method: 'PATCH', path: `/v1/channels/__CH__`, body: { username: 'a\r\nb' }, status: 400, field: 'username' });
  cases.push({ name: 'channel patch: not json', method: 'PATCH', path: `/v1/channels/__CH__`, raw: 'x', headers: { 'Content-Type': 'text/plain' }, status: 415 });
  for (const id of ['nope', '..%2F..%2Fetc', '%00', '%0d%0a', 'x'.repeat(300), "1' OR '1'='1"]) {
    cases.push({ name: `channel verify unknown id ${id.slice(0, 12)}`, method: 'POST', path: `/v1/channels/${id}/verify`, status: 404 });
    cases.push({ name: `channel delete unknown id ${id.slice(0, 12)}`, method: 'DELETE', path: `/v1/channels/${id}`, status: 404 });
    cases.push({ name: `message get unknown id ${id.slice(0, 12)}`, method: 'GET', path: `/v1/messages/${id}`, status: 404 });
    cases.push({ name: `message delete unknown id ${id.slice(0, 12)}`, method: 'DELETE', path: `/v1/messages/${id}`, status: 404 });
  }
  // Listing.
  for (const q of ['status=bogus', 'status=sent,bogus', 'limit=0', 'limit=501', 'limit=abc', 'before=yesterday', 'bogus=1', 'status=' + 'sent,'.repeat(60)]) {
    cases.push({ name: `list ?${q.slice(0, 30)}`, method: 'GET', path: `/v1/messages?${q}`, status: 400 });
  }
  // Admin.
  for (const [label, body] of [
    ['empty', { tokens: [] }], ['bad email', { tokens: [{ email: 'x' }] }], ['CRLF email', { tokens: [{ email: 'a@b.test\r\nx' }] }], ['unknown field', { tokens: [{ email: 'a@b.test', role: 'root' }] }],
    ['admin not boolean', { tokens: [{ email: 'a@b.test', admin: 'yes' }] }], ['too many', { tokens: Array.from({ length: 1001 }, (_, i) => ({ email: `u${i}@b.test` })) }], ['not an array', { tokens: 'a@b.test' }],
  ] as const) {
    cases.push({ name: `admin tokens: ${label}`, method: 'POST', path: '/v1/admin/tokens', body, status: 400, admin: true });
  }
  cases.push({ name: 'admin revoke unknown token', method: 'DELETE', path: '/v1/admin/tokens/tok_nope', status: 404, admin: true });
  // Unknown endpoints and methods.
  for (const [m, p] of [['PUT', '/v1/messages'], ['GET', '/v1/nope'], ['POST', '/v1/limits'], ['GET', '/v2/messages'], ['DELETE', '/v1/channels'], ['PATCH', '/v1/messages/x']] as const) {
    cases.push({ name: `route ${m} ${p}`, method: m, path: p, status: 404 });
  }

  return cases;
  };

  it('has at least 200 cases', () => {
    expect(buildCases().length).toBeGreaterThanOrEqual(200);
  });

  it('answers every one with a 4xx JSON error, never a 5xx, and nothing reaches SMTP', async () => {
    const cases = buildCases();
    const problems: string[] = [];
    let key = 0;
    for (const c of cases) {
      const headers: Record<string, string> = { 'Idempotency-Key': `bad-${key++}`, ...c.headers };
      const path = c.path.replace('__CH__', channelId);
      const body = c.raw !== undefined ? c.raw : c.body === undefined ? undefined : JSON.stringify(c.body);
      if (body !== undefined && !headers['Content-Type']) headers['Content-Type'] = 'application/json';
      headers.Authorization = `Bearer ${c.admin ? admin : token}`;
      const res = await fetch(relay.url + path, { method: c.method, headers, body });
      const text = await res.text();
      let json: { error?: { code?: unknown; message?: unknown; field?: unknown } } = {};
      try {
        json = JSON.parse(text);
      } catch {
        problems.push(`${c.name}: not JSON: ${text.slice(0, 80)}`);
        continue;
      }
      if (res.status < 400 || res.status >= 500) problems.push(`${c.name}: status ${res.status} ${text.slice(0, 200)}`);
      else if (c.status !== undefined && res.status !== c.status) problems.push(`${c.name}: status ${res.status}, expected ${c.status}: ${text.slice(0, 200)}`);
      if (typeof json.error?.code !== 'string' || typeof json.error?.message !== 'string') problems.push(`${c.name}: no {error:{code,message}}: ${text.slice(0, 120)}`);
      const field = String(json.error?.field);
      if (c.field !== undefined && field !== c.field && !field.startsWith(`${c.field}.`)) problems.push(`${c.name}: field ${String(json.error?.field)}, expected ${c.field} (${String(json.error?.message).slice(0, 100)})`);
      if (/\bat .+\.ts:\d+/.test(text)) problems.push(`${c.name}: stack trace in response`);
    }
    expect(problems).toEqual([]);
    // Give the worker a moment: had anything been queued, it would go out now.
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.received).toHaveLength(0);
    const listed = (await (await relay.call(token, 'GET', '/v1/messages')).json()) as { messages: unknown[] };
    expect(listed.messages).toHaveLength(0);
    expect(relay.logs.filter((l) => l.includes('unhandled_error'))).toEqual([]);
  });
});
