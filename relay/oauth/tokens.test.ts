import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite, type RelayDb } from '../db';
import { createLogger } from '../log';
import { secretBox } from '../security/secrets';
import { loadMicrosoftConfig } from './config';
import { loadGrant, putGrant } from './grants';
import { MicrosoftTokenError } from './microsoft';
import { MicrosoftTokens, renewAt } from './tokens';

/** A token endpoint in a function: counts refreshes, rotates refresh tokens, answers after `delay` ms. */
function fakeEndpoint() {
  const e = {
    calls: [] as URLSearchParams[],
    urls: [] as string[],
    delay: 20,
    next: 0,
    answer: undefined as Response | undefined,
    fetch: async (url: string, init: RequestInit) => {
      e.urls.push(url);
      e.calls.push(new URLSearchParams(String(init.body)));
      await new Promise((r) => setTimeout(r, e.delay));
      if (e.answer) return e.answer;
      e.next++;
      return Response.json({ token_type: 'Bearer', access_token: `at-${e.next}`, refresh_token: `rt-${e.next}`, expires_in: 3600, scope: 'https://outlook.office.com/SMTP.Send' });
    },
  };
  return e;
}

describe('MicrosoftTokens', () => {
  let dir: string;
  let db: RelayDb;
  let t = Date.parse('2030-01-01T09:00:00Z');
  const clock = { now: () => t };
  const box = secretBox(crypto.randomBytes(32));
  const config = loadMicrosoftConfig({ RELAY_MS_CLIENT_ID: 'cid' });
  let endpoint: ReturnType<typeof fakeEndpoint>;
  let tokens: MicrosoftTokens;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-oauth-'));
    db = (await openSqlite(dir)).db;
    endpoint = fakeEndpoint();
    tokens = new MicrosoftTokens({ db, box, clock, config, logger: createLogger('silent'), fetch: endpoint.fetch });
    await putGrant(db, box, 'ch_1', { clientId: 'cid', tenantId: 'tid', subject: 'oid', refreshToken: 'rt-0', accessToken: 'at-0', accessObtainedAt: t, accessExpiresAt: t + 3600_000 }, t);
  });
  afterEach(async () => {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('hands out the stored token while it is fresh, without asking Microsoft', async () => {
    expect(await tokens.current('ch_1')).toMatchObject({ token: 'at-0', generation: 1, renewAt: t + 3600_000 - 5 * 60_000 });
    expect(endpoint.calls).toHaveLength(0);
  });

  it('refreshes once for ten concurrent callers, at the grant\'s own tenant, and saves the rotated refresh token', async () => {
    t += 56 * 60_000;
    const got = await Promise.all(Array.from({ length: 10 }, () => tokens.current('ch_1')));
    expect(endpoint.calls).toHaveLength(1);
    expect(endpoint.calls[0]!.get('refresh_token')).toBe('rt-0');
    expect(endpoint.urls).toEqual(['https://login.microsoftonline.com/tid/oauth2/v2.0/token']);
    expect(new Set(got.map((g) => g.token))).toEqual(new Set(['at-1']));
    expect(got[0]!.generation).toBe(2);
    expect(await loadGrant(db, box, 'ch_1')).toMatchObject({ refreshToken: 'rt-1', accessToken: 'at-1', generation: 2 });
    // Callers that arrive after the refresh read the saved token.
    expect((await tokens.current('ch_1')).token).toBe('at-1');
    expect(endpoint.calls).toHaveLength(1);
  });

  it('renews a refused token unless it was minted in the last minute', async () => {
    expect((await tokens.current('ch_1', { renew: true })).token).toBe('at-0');
    expect(endpoint.calls).toHaveLength(0);
    t += 2 * 60_000;
    expect((await tokens.current('ch_1', { renew: true })).token).toBe('at-1');
    expect(endpoint.calls).toHaveLength(1);
  });

  it('a revoked grant is an error the worker turns into "needs reconnect"; the lock is released', async () => {
    t += 2 * 3600_000;
    endpoint.answer = Response.json({ error: 'invalid_grant', error_description: 'AADSTS50173: revoked' }, { status: 400 });
    const failure = await tokens.current('ch_1').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(MicrosoftTokenError);
    expect(failure).toMatchObject({ kind: 'revoked' });
    endpoint.answer = undefined;
    expect((await tokens.current('ch_1')).token).toBe('at-1');
  });

  it('a reconnect during a refresh wins over the refresh\'s result', async () => {
    t += 2 * 3600_000;
    endpoint.delay = 100;
    const pending = tokens.current('ch_1');
    await new Promise((r) => setTimeout(r, 30));
    await putGrant(db, box, 'ch_1', { clientId: 'cid', tenantId: 'tid', subject: 'oid', refreshToken: 'rt-new', accessToken: 'at-new', accessObtainedAt: t, accessExpiresAt: t + 3600_000 }, t);
    expect((await pending).token).toBe('at-new');
    expect(await loadGrant(db, box, 'ch_1')).toMatchObject({ refreshToken: 'rt-new', accessToken: 'at-new' });
  });

  it('no grant, or a grant for another app, needs the rep to connect again', async () => {
    await expect(tokens.current('ch_none')).rejects.toMatchObject({ kind: 'revoked', error: 'no_grant' });
    const other = new MicrosoftTokens({ db, box, clock, config: loadMicrosoftConfig({ RELAY_MS_CLIENT_ID: 'new-app' }), logger: createLogger('silent'), fetch: endpoint.fetch });
    t += 2 * 3600_000;
    await expect(other.current('ch_1')).rejects.toMatchObject({ kind: 'revoked', error: 'client_changed' });
  });

  it('renews a tenth of the lifetime ahead, at most five minutes', () => {
    expect(renewAt(0, 3600_000)).toBe(3600_000 - 300_000);
    expect(renewAt(0, 600_000)).toBe(540_000);
  });
});
