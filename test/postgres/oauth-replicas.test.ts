import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type RelayDatabase } from '../../relay/db';
import { projectDatabase } from '../helpers/postgres';
import { createLogger } from '../../relay/log';
import { loadMicrosoftConfig } from '../../relay/oauth/config';
import { loadGrant, putGrant } from '../../relay/oauth/grants';
import { MicrosoftTokens } from '../../relay/oauth/tokens';
import { secretBox } from '../../relay/security/secrets';

/**
 * Office 365 OAuth on several relays sharing one PostgreSQL database: when the
 * access token is due, sends on every relay at once make one refresh at
 * Microsoft between them (the rotated refresh token is saved once, and every
 * relay uses the new access token). Each relay has its own connection pool,
 * as separate processes would.
 */
describe('OAuth token refresh across relays on PostgreSQL', () => {
  const relays: RelayDatabase[] = [];
  let t = Date.parse('2030-01-01T09:00:00Z');
  const clock = { now: () => t };
  const box = secretBox(crypto.randomBytes(32));
  const config = loadMicrosoftConfig({ RELAY_MS_CLIENT_ID: 'cid' });
  const requests: string[] = [];
  let issued = 0;
  // Microsoft's token endpoint, slow enough that every relay asks while the first refresh is under way.
  const fetch = async (_url: string, init: RequestInit) => {
    requests.push(new URLSearchParams(String(init.body)).get('refresh_token')!);
    await new Promise((r) => setTimeout(r, 150));
    issued++;
    return Response.json({ token_type: 'Bearer', access_token: `at-${issued}`, refresh_token: `rt-${issued}`, expires_in: 3600, scope: 'https://outlook.office.com/SMTP.Send' });
  };

  beforeAll(async () => {
    const url = await projectDatabase('oauth_replicas');
    for (let i = 0; i < 3; i++) relays.push(await openPostgres(url));
    await putGrant(relays[0]!.db, box, 'ch_1', { clientId: 'cid', tenantId: 'tid', subject: 'oid', refreshToken: 'rt-0', accessToken: 'at-0', accessObtainedAt: t, accessExpiresAt: t + 3600_000 }, t);
  });
  afterAll(async () => {
    for (const r of relays) await r.close();
  });

  it('three relays, five sends each, one refresh', async () => {
    const tokens = relays.map((r) => new MicrosoftTokens({ db: r.db, box, clock, config, logger: createLogger('silent'), fetch }));
    t += 56 * 60_000; // inside the renewal margin
    const got = await Promise.all(tokens.flatMap((tk) => Array.from({ length: 5 }, () => tk.current('ch_1'))));
    expect(requests).toEqual(['rt-0']);
    expect(new Set(got.map((g) => g.token))).toEqual(new Set(['at-1']));
    expect(await loadGrant(relays[2]!.db, box, 'ch_1')).toMatchObject({ refreshToken: 'rt-1', accessToken: 'at-1', generation: 2 });
  });
});
