import { SendwayError } from '../../../shared/messages/define';
import type { Office365Status } from '../../../shared/messages/office365';
import type { MicrosoftOAuthInfo } from '../../../shared/schemas/microsoft-oauth';
import type { ManagedPolicy } from '../../../shared/schemas/policy';
import type { Channel, VerifyResult } from '../../../shared/schemas/relay-api';
import type { RelayClient } from '../relay/client';
import { fromViewId, toViewId } from '../relay/map';
import { resolveMicrosoftConfig, type MicrosoftConfig, type UnavailableReason } from './config';
import { buildAuthorizeUrl, MicrosoftAuthError, parseCodeRedirect } from './oauth';
import { challengeFor, newState, newVerifier } from './pkce';
import { say } from './text';

export interface Office365Deps {
  launchWebAuthFlow: (details: { url: string; interactive: boolean }) => Promise<string | undefined>;
  /** identity.getRedirectURL(): https://<extension-id>.chromiumapp.org/ in Chrome and Edge. */
  redirectUrl: () => string;
  /** Effective settings: policy over local over build env. */
  settings: () => Promise<ManagedPolicy>;
  /** The relay as configured, or null when it is not connected. */
  relay: () => Promise<{ client: RelayClient; account: () => Promise<{ email: string }> } | null>;
  /** The relay channels changed: forget cached channel lists. */
  channelsChanged: () => Promise<void>;
}

type Ready = { client: RelayClient; account: () => Promise<{ email: string }>; config: Extract<MicrosoftConfig, { ok: true }> };

const UNAVAILABLE_TEXT: Record<UnavailableReason | 'relay_not_connected' | 'relay_unsupported', Parameters<typeof say>[0]> = {
  not_allowed: 'office365.unavailable.notAllowed',
  relay_not_connected: 'office365.unavailable.relayNotConnected',
  relay_unsupported: 'office365.unavailable.relayUnsupported',
  relay_not_configured: 'office365.unavailable.relayNotConfigured',
  not_configured: 'office365.unavailable.relayNotConfigured',
  client_mismatch: 'office365.unavailable.clientMismatch',
};

/** What the popup needs to offer (or explain the absence of) "Connect Office 365". */
async function prepare(deps: Office365Deps): Promise<Ready | { reason: keyof typeof UNAVAILABLE_TEXT; info?: MicrosoftOAuthInfo; values: ManagedPolicy }> {
  const values = await deps.settings();
  if (values.allowedChannels && !values.allowedChannels.includes('office365')) return { reason: 'not_allowed', values };
  const relay = await deps.relay();
  if (!relay) return { reason: 'relay_not_connected', values };
  const info = await relay.client.microsoftOAuthInfo();
  if (!info) return { reason: 'relay_unsupported', values };
  const config = resolveMicrosoftConfig(values, info);
  if (!config.ok) return { reason: config.reason, info, values };
  return { ...relay, config };
}

function unavailableText(reason: keyof typeof UNAVAILABLE_TEXT, info?: MicrosoftOAuthInfo, values?: ManagedPolicy): string {
  return reason === 'client_mismatch'
    ? say(UNAVAILABLE_TEXT[reason], [values?.microsoftClientId ?? '', info?.clientId ?? ''])
    : say(UNAVAILABLE_TEXT[reason]);
}

export async function office365Status(deps: Office365Deps): Promise<Office365Status> {
  let ready;
  try {
    ready = await prepare(deps);
  } catch (error) {
    // The relay could not be asked (down, token refused): say so rather than fail the whole popup.
    return { available: false, reason: 'relay_not_connected', message: error instanceof Error ? error.message : String(error) };
  }
  if ('reason' in ready) return { available: false, reason: ready.reason, message: unavailableText(ready.reason, ready.info, ready.values) };
  return { available: true, tenant: ready.config.tenant };
}

async function requireReady(deps: Office365Deps): Promise<Ready> {
  const ready = await prepare(deps);
  if ('reason' in ready) throw new SendwayError(ready.reason, unavailableText(ready.reason, ready.info, ready.values));
  return ready;
}

/** Microsoft's sign-in window; resolves with the code, its verifier and the redirect URI, for the relay. */
async function signIn(deps: Office365Deps, config: Ready['config'], o: { loginHint?: string }) {
  const verifier = newVerifier();
  const state = newState();
  const redirectUri = deps.redirectUrl();
  const url = buildAuthorizeUrl({
    authorizeUrl: config.authorizeUrl,
    clientId: config.clientId,
    redirectUri,
    state,
    codeChallenge: await challengeFor(verifier),
    // Connecting: let the rep pick the work account. Reconnecting: that account, one click while signed in.
    ...(o.loginHint ? { loginHint: o.loginHint } : { prompt: 'select_account' as const }),
  });
  let redirected: string | undefined;
  try {
    redirected = await deps.launchWebAuthFlow({ url, interactive: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Chrome: "The user did not approve access." when the window is closed.
    if (/did not approve|user cancel|closed/i.test(message)) throw new MicrosoftAuthError('cancelled', message);
    throw new MicrosoftAuthError('invalid_response', message);
  }
  if (!redirected) throw new MicrosoftAuthError('cancelled', 'no redirect');
  return { code: parseCodeRedirect(redirected, state), codeVerifier: verifier, redirectUri };
}

/** Sign-in and relay errors in words a rep understands. */
async function explain(error: unknown, ready: Ready): Promise<SendwayError> {
  if (error instanceof MicrosoftAuthError) {
    switch (error.code) {
      case 'cancelled':
        return new SendwayError('cancelled', say('office365.errors.cancelled'));
      case 'access_denied':
        return new SendwayError('access_denied', say('office365.errors.accessDenied'));
      case 'consent_required':
        return new SendwayError('consent_required', say('office365.errors.consentRequired', [error.message]));
      case 'misconfigured':
        return new SendwayError('misconfigured', say('office365.errors.misconfigured', [error.message]));
      default:
        return new SendwayError('auth_failed', say('office365.errors.failed', [error.message]));
    }
  }
  if (error instanceof SendwayError) {
    switch (error.code) {
      case 'account_mismatch': {
        const email = await ready.account().then((a) => a.email, () => '');
        return new SendwayError(error.code, say('office365.errors.accountMismatch', [email]));
      }
      case 'invalid_grant':
        return new SendwayError(error.code, say('office365.errors.codeRejected'));
      case 'scope_missing':
        return new SendwayError(error.code, say('office365.errors.scopeMissing'));
      case 'oauth_rejected':
        return new SendwayError(error.code, say('office365.errors.relayRejected', [error.message]));
      case 'oauth_not_configured':
        return new SendwayError(error.code, say('office365.unavailable.relayNotConfigured'));
      case 'microsoft_unavailable':
        return new SendwayError(error.code, say('office365.errors.microsoftUnavailable'));
      default:
        return error;
    }
  }
  return new SendwayError('auth_failed', say('office365.errors.failed', [error instanceof Error ? error.message : String(error)]));
}

/** Signs the rep in and creates (or signs in again) their Office 365 channel, then tests it. */
export async function connectOffice365(deps: Office365Deps, o: { name?: string } = {}) {
  const ready = await requireReady(deps);
  let channel: Channel;
  let created: boolean;
  try {
    const grant = await signIn(deps, ready.config, {});
    const before = await ready.client.listChannels();
    channel = await ready.client.connectOffice365({ ...grant, ...(o.name ? { name: o.name } : {}) });
    created = !before.some((c) => c.id === channel.id);
  } catch (error) {
    throw await explain(error, ready);
  }
  await deps.channelsChanged();
  let result: VerifyResult;
  try {
    result = await ready.client.verifyChannel(channel.id);
  } catch (error) {
    if (created) await ready.client.deleteChannel(channel.id).catch(() => undefined);
    throw error;
  }
  // Like the password flow: a new channel that cannot send is not kept; the result says what to fix.
  if (!result.ok && created) {
    await ready.client.deleteChannel(channel.id).catch(() => undefined);
    await deps.channelsChanged();
    return { channelId: null, account: channel.username, result };
  }
  return { channelId: toViewId(channel.id), account: channel.username, result };
}

/**
 * "Reconnect": a new Microsoft sign-in for an Office 365 channel that needs
 * one (or a password channel switching to Microsoft sign-in). The channel
 * keeps its id and its queue; the relay sends the waiting mail.
 */
export async function reconnectOffice365(deps: Office365Deps, channelId: string) {
  const relayId = fromViewId(channelId);
  if (!relayId) throw new SendwayError('unknown_channel', say('office365.errors.notOffice365'), 'channelId');
  const ready = await requireReady(deps);
  const existing = (await ready.client.listChannels()).find((c) => c.id === relayId);
  if (!existing || existing.provider !== 'office365') throw new SendwayError('unknown_channel', say('office365.errors.notOffice365'), 'channelId');
  let channel: Channel;
  try {
    const grant = await signIn(deps, ready.config, { loginHint: existing.username.includes('@') ? existing.username : (await ready.account()).email });
    channel = await ready.client.reconnectOffice365(relayId, grant);
  } catch (error) {
    throw await explain(error, ready);
  }
  await deps.channelsChanged();
  return { channelId, account: channel.username, result: await ready.client.verifyChannel(relayId) };
}
