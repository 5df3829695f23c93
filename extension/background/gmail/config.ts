import { z } from 'zod';
import { PRESET_LIMITS, withOverrides, type LimitSpec } from '../../../shared/limits';
import type { LimitOverride, ManagedPolicy } from '../../../shared/schemas/policy';

/** Google's public endpoints; build env or policy may point elsewhere (tests, on-premise proxies). */
export const GOOGLE_DEFAULTS = {
  authUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  revokeUrl: 'https://oauth2.googleapis.com/revoke',
  apiBase: 'https://gmail.googleapis.com',
} as const;

export const GMAIL_SEND_SCOPE = 'https://www.googleapis.com/auth/gmail.send';
export const GMAIL_METADATA_SCOPE = 'https://www.googleapis.com/auth/gmail.metadata';
/**
 * gmail.send alone cannot read who the rep is (users.getProfile needs a read
 * scope). `openid email` are non-sensitive and make Google return an id_token
 * carrying the address, which is what the popup shows and what silent
 * re-auth passes as login_hint.
 */
export const IDENTITY_SCOPES = ['openid', 'email'] as const;

export type GmailAccountType = 'consumer' | 'workspace';

export interface GmailConfig {
  /** Undefined when neither build env nor policy supplies one: the channel is then not offered. */
  clientId?: string;
  authUrl: string;
  revokeUrl: string;
  apiBase: string;
  /** False when policy's allowedChannels leaves Gmail out. */
  allowed: boolean;
  /** Request gmail.metadata (restricted scope) only when an admin opted in. */
  metadataScope: boolean;
  /** Set by the rep or policy; otherwise detected from the account (Workspace accounts carry `hd`). */
  accountType?: GmailAccountType;
  dailyLimit?: number;
  limitOverride?: z.infer<typeof LimitOverride>;
}

const HttpUrl = z.url({ protocol: /^https?$/ });

/** Pure: turns merged settings (build env < local < policy) into what the Gmail channel needs. */
export function gmailConfigFrom(values: ManagedPolicy, env: { revokeUrl?: string } = {}): GmailConfig {
  const envRevoke = env.revokeUrl && HttpUrl.safeParse(env.revokeUrl).success ? env.revokeUrl : undefined;
  return {
    clientId: values.googleClientId,
    authUrl: values.googleAuthUrl ?? GOOGLE_DEFAULTS.authUrl,
    revokeUrl: values.googleRevokeUrl ?? envRevoke ?? GOOGLE_DEFAULTS.revokeUrl,
    apiBase: (values.gmailApiBase ?? GOOGLE_DEFAULTS.apiBase).replace(/\/+$/, ''),
    allowed: !values.allowedChannels || values.allowedChannels.includes('gmail'),
    metadataScope: values.gmailMetadataScope === true,
    accountType: values.gmailAccountType,
    dailyLimit: values.gmailDailyLimit,
    limitOverride: values.limits?.gmail,
  };
}

export function scopesFor(config: Pick<GmailConfig, 'metadataScope'>): string[] {
  return [...IDENTITY_SCOPES, GMAIL_SEND_SCOPE, ...(config.metadataScope ? [GMAIL_METADATA_SCOPE] : [])];
}

export function effectiveAccountType(config: GmailConfig, detected?: GmailAccountType): GmailAccountType {
  return config.accountType ?? detected ?? 'consumer';
}

/**
 * The limits the Gmail channel enforces on itself: Google's published
 * defaults for the account type, then the organisation's per-channel
 * override, then an explicit daily limit (the most specific setting wins).
 */
export function gmailLimitSpec(config: GmailConfig, detected?: GmailAccountType): LimitSpec {
  const preset = effectiveAccountType(config, detected) === 'workspace' ? PRESET_LIMITS.gmailWorkspace : PRESET_LIMITS.gmailConsumer;
  const spec = withOverrides(preset, config.limitOverride);
  return config.dailyLimit ? { ...spec, perDay: config.dailyLimit } : spec;
}
