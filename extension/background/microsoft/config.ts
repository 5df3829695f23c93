import type { MicrosoftOAuthInfo } from '../../../shared/schemas/microsoft-oauth';
import type { ManagedPolicy } from '../../../shared/schemas/policy';

export const MICROSOFT_AUTHORITY = 'https://login.microsoftonline.com';

export type UnavailableReason = 'not_allowed' | 'relay_not_configured' | 'not_configured' | 'client_mismatch';

export type MicrosoftConfig =
  | { ok: true; clientId: string; tenant: string; authorizeUrl: string }
  | { ok: false; reason: UnavailableReason };

/**
 * The authorization endpoint. `authUrl` (policy microsoftAuthUrl or build env
 * WXT_MS_AUTH_URL) may be a full …/oauth2/v2.0/authorize URL, used as is, or
 * an authority such as https://login.microsoftonline.us, to which the tenant
 * path is added.
 */
export function authorizeEndpoint(authUrl: string, tenant: string): string {
  const trimmed = authUrl.replace(/\/+$/, '');
  if (/\/authorize$/.test(new URL(trimmed).pathname)) return trimmed;
  return `${trimmed}/${encodeURIComponent(tenant)}/oauth2/v2.0/authorize`;
}

/** The authority the relay's advertised authorize URL lives under (so both talk to the same cloud). */
function relayAuthority(info: MicrosoftOAuthInfo): string | undefined {
  const suffix = `/${encodeURIComponent(info.tenant)}/oauth2/v2.0/authorize`;
  return info.authorizeUrl.endsWith(suffix) ? info.authorizeUrl.slice(0, -suffix.length) : undefined;
}

/**
 * Pure: which Microsoft app, tenant and endpoint the sign-in uses. The
 * organisation's settings (policy, then build env) win; what the relay
 * advertises fills the gaps, so an admin who configured the relay need not
 * configure every browser too. The relay redeems the code, so it must be set
 * up for the same app.
 */
export function resolveMicrosoftConfig(values: ManagedPolicy, relay: MicrosoftOAuthInfo): MicrosoftConfig {
  if (values.allowedChannels && !values.allowedChannels.includes('office365')) return { ok: false, reason: 'not_allowed' };
  if (!relay.configured) return { ok: false, reason: 'relay_not_configured' };
  const clientId = values.microsoftClientId ?? relay.clientId;
  if (!clientId) return { ok: false, reason: 'not_configured' };
  if (relay.clientId && relay.clientId !== clientId) return { ok: false, reason: 'client_mismatch' };
  const tenant = values.microsoftTenant ?? relay.tenant ?? 'common';
  const authUrl = values.microsoftAuthUrl ?? relayAuthority(relay) ?? MICROSOFT_AUTHORITY;
  return { ok: true, clientId, tenant, authorizeUrl: authorizeEndpoint(authUrl, tenant) };
}
