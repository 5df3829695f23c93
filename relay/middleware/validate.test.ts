import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { noNulInPath, nulField, validJson } from './validate';

describe('NUL characters in requests', () => {
  it('names the field holding one', () => {
    expect(nulField({ to: ['a@example.com', 'b\u0000@example.com'] })).toBe('to.1');
    expect(nulField({ headers: { 'X-Tag': 'ok' }, subject: 'Hi\u0000' })).toBe('subject');
    expect(nulField({ subject: 'fine', n: 3, ok: true, none: null })).toBeNull();
  });

  it('a body with one is a 400 naming the field, before the route runs', async () => {
    let reached = false;
    const app = new Hono().post('/x', validJson(z.object({ name: z.string() })), (c) => {
      reached = true;
      return c.json({ ok: true });
    });
    const res = await app.request('/x', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'a\u0000b' }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'invalid_request', message: 'name contains a NUL character', field: 'name' } });
    expect(reached).toBe(false);
  });

  it('a path with an encoded NUL is a 404 (it names nothing), other odd bytes pass to the route', async () => {
    const app = new Hono().use('*', noNulInPath()).get('/v1/messages/:id', (c) => c.json({ id: c.req.param('id') }));
    expect((await app.request('/v1/messages/%00')).status).toBe(404);
    expect((await app.request('/v1/messages/msg%2500?x=%00')).status).toBe(200);
  });
});
