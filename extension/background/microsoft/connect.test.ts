import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { SendwayError } from '../../../shared/messages/define';
import type { MicrosoftOAuthInfo } from '../../../shared/schemas/microsoft-oauth';
import type { ManagedPolicy } from '../../../shared/schemas/policy';
import type { Channel, VerifyResult } from '../../../shared/schemas/relay-api';
import type { RelayClient } from '../relay/client';
import { connectOffice365, office365Status, reconnectOffice365, type Office365Deps } from './connect';

const REDIRECT = 'https://odbmceaebecihlmjdpgmbmagceiihbmh.chromiumapp.org/';
const INFO: MicrosoftOAuthInfo = { configured: true, clientId: 'app-1', tenant: 'common', authorizeUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize', scopes: [] };

const channel = (over: Partial<Channel> = {}): Channel => ({
  id: 'ch_1',
  name: 'Office 365 (rep@example.com)',
  provider: 'office365',
  host: 'smtp.office365.com',
  port: 587,
  security: 'starttls',
  username: 'rep@example.com',
  auth: 'oauth2',
  scope: 'personal',
  domains: [],
  ownerEmail: 'rep@example.com',
  limits: { perMinute: 30, perDay: 10000, perDayUnit: 'recipients', perMessage: 500, concurrency: 3 },
  status: 'active',
  createdAt: '2030-01-01T00:00:00.000Z',
  ...over,
});

/** A relay client and a Microsoft sign-in window, both scripted. */
function setup(o: { info?: MicrosoftOAuthInfo | null; values?: ManagedPolicy; verify?: VerifyResult; existing?: Channel[]; noRelay?: boolean; redirect?: (url: URL) => string; relayError?: SendwayError } = {}) {
  const calls: { method: string; args: unknown[] }[] = [];
  const launches: URL[] = [];
  let channels = [...(o.existing ?? [])];
  const rec = (method: string, ...args: unknown[]) => calls.push({ method, args });
  const client = {
    microsoftOAuthInfo: async () => (o.info === undefined ? INFO : o.info),
    listChannels: async () => channels,
    connectOffice365: async (body: unknown) => {
      rec('connect', body);
      if (o.relayError) throw o.relayError;
      const c = channels[0] ?? channel();
      channels = [c];
      return c;
    },
    reconnectOffice365: async (id: string, body: unknown) => {
      rec('reconnect', id, body);
      return channels.find((c) => c.id === id)!;
    },
    verifyChannel: async (id: string) => (rec('verify', id), o.verify ?? { ok: true }),
    deleteChannel: async (id: string) => {
      rec('delete', id);
      channels = channels.filter((c) => c.id !== id);
    },
  } as unknown as RelayClient;
  const deps: Office365Deps = {
    launchWebAuthFlow: async ({ url }) => {
      const u = new URL(url);
      launches.push(u);
      return o.redirect ? o.redirect(u) : `${REDIRECT}?code=the-code&state=${u.searchParams.get('state')}`;
    },
    redirectUrl: () => REDIRECT,
    settings: async () => o.values ?? {},
    relay: async () => (o.noRelay ? null : { client, account: async () => ({ email: 'rep@example.com' }) }),
    channelsChanged: async () => void rec('changed'),
  };
  return { deps, calls, launches };
}

describe('Office 365 sign-in (background)', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    fakeBrowser.i18n.getMessage = ((key: string, subs?: string[]) => [key, ...(subs ?? [])].join('|')) as typeof fakeBrowser.i18n.getMessage;
  });

  it('is offered when the relay is set up for it, and says why not otherwise', async () => {
    expect(await office365Status(setup().deps)).toEqual({ available: true, tenant: 'common' });
    expect(await office365Status(setup({ info: null }).deps)).toMatchObject({ available: false, reason: 'relay_unsupported' });
    expect(await office365Status(setup({ info: { ...INFO, configured: false, clientId: undefined } }).deps)).toMatchObject({ available: false, reason: 'relay_not_configured', message: 'office365_unavailable_relayNotConfigured' });
    expect(await office365Status(setup({ values: { microsoftClientId: 'other' } }).deps)).toMatchObject({ available: false, reason: 'client_mismatch', message: 'office365_unavailable_clientMismatch|other|app-1' });
    expect(await office365Status(setup({ values: { allowedChannels: ['smtp'] } }).deps)).toMatchObject({ available: false, reason: 'not_allowed' });
    expect(await office365Status(setup({ noRelay: true }).deps)).toMatchObject({ available: false, reason: 'relay_not_connected' });
  });

  it('connects: PKCE challenge in the window, code + matching verifier + redirect URI to the relay, then a test', async () => {
    const { deps, calls, launches } = setup();
    const result = await connectOffice365(deps, { name: 'My Outlook' });
    expect(result).toEqual({ channelId: 'relay:ch_1', account: 'rep@example.com', result: { ok: true } });
    const url = launches[0]!;
    expect(url.searchParams.get('prompt')).toBe('select_account');
    const sent = calls.find((c) => c.method === 'connect')!.args[0] as { code: string; codeVerifier: string; redirectUri: string; name: string };
    expect(sent).toMatchObject({ code: 'the-code', redirectUri: REDIRECT, name: 'My Outlook' });
    expect(createHash('sha256').update(sent.codeVerifier).digest('base64url')).toBe(url.searchParams.get('code_challenge'));
    expect(calls.map((c) => c.method)).toEqual(['connect', 'changed', 'verify']);
  });

  it('removes a new channel whose connection test fails, and reports the test', async () => {
    const verify: VerifyResult = { ok: false, code: 'smtp_auth_disabled', message: 'SMTP AUTH is off for this mailbox' };
    const { deps, calls } = setup({ verify });
    expect(await connectOffice365(deps)).toEqual({ channelId: null, account: 'rep@example.com', result: verify });
    expect(calls.map((c) => c.method)).toContain('delete');
  });

  it('keeps an existing channel signed in again even when its test fails', async () => {
    const { deps, calls } = setup({ existing: [channel()], verify: { ok: false, code: 'timeout', message: 'slow' } });
    expect((await connectOffice365(deps)).channelId).toBe('relay:ch_1');
    expect(calls.map((c) => c.method)).not.toContain('delete');
  });

  it('explains a closed window, a declined consent, an admin-approval wall and a wrong account', async () => {
    const closed = setup();
    closed.deps.launchWebAuthFlow = async () => {
      throw new Error('The user did not approve access.');
    };
    await expect(connectOffice365(closed.deps)).rejects.toMatchObject({ code: 'cancelled', message: 'office365_errors_cancelled' });
    await expect(connectOffice365(setup({ redirect: (u) => `${REDIRECT}?error=access_denied&state=${u.searchParams.get('state')}` }).deps)).rejects.toMatchObject({ code: 'access_denied' });
    await expect(
      connectOffice365(setup({ redirect: (u) => `${REDIRECT}?error=consent_required&error_description=AADSTS65001&state=${u.searchParams.get('state')}` }).deps),
    ).rejects.toMatchObject({ code: 'consent_required', message: 'office365_errors_consentRequired|AADSTS65001' });
    const mismatch = setup({ relayError: new SendwayError('account_mismatch', 'you signed in as x') });
    await expect(connectOffice365(mismatch.deps)).rejects.toMatchObject({ code: 'account_mismatch', message: 'office365_errors_accountMismatch|rep@example.com' });
    expect(mismatch.calls.map((c) => c.method)).not.toContain('verify');
  });

  it('reconnects a channel with a login hint and no account picker, keeping its id', async () => {
    const { deps, calls, launches } = setup({ existing: [channel({ status: 'needs_reconnect' })] });
    expect(await reconnectOffice365(deps, 'relay:ch_1')).toEqual({ channelId: 'relay:ch_1', account: 'rep@example.com', result: { ok: true } });
    expect(launches[0]!.searchParams.get('login_hint')).toBe('rep@example.com');
    expect(launches[0]!.searchParams.has('prompt')).toBe(false);
    expect(calls[0]).toMatchObject({ method: 'reconnect', args: ['ch_1', { code: 'the-code', redirectUri: REDIRECT }] });
    await expect(reconnectOffice365(deps, 'gmail')).rejects.toMatchObject({ code: 'unknown_channel' });
    await expect(reconnectOffice365(setup({ existing: [channel({ provider: 'smtp' })] }).deps, 'relay:ch_1')).rejects.toMatchObject({ code: 'unknown_channel' });
  });
});
