import { z } from 'zod';

/**
 * Microsoft identity platform settings (RELAY_MS_*). Without a client id the
 * relay cannot redeem codes and Office 365 stays password-only.
 */
export interface MicrosoftConfig {
  clientId: string | undefined;
  /** `common`, `organizations`, a tenant id (GUID) or a verified domain. */
  tenant: string;
  /** Only for a confidential client (redirect URI registered under "Web"); a public client with PKCE has none. */
  clientSecret: string | undefined;
  /** e.g. https://login.microsoftonline.com (https://login.microsoftonline.us for US Government). */
  authority: string;
  /** Set explicitly (RELAY_MS_TOKEN_URL): used for every request as is. */
  tokenUrlOverride: string | undefined;
  /** Where Office 365 SMTP AUTH lives (smtp.office365.com:587, STARTTLS). */
  smtpHost: string;
  smtpPort: number;
  /** Token endpoint timeout. */
  timeoutMs: number;
}

const Tenant = z.string().regex(/^[A-Za-z0-9.-]{1,100}$/, 'must be common, organizations, a tenant id or a domain');

/** https, or http on loopback only (a local fake identity platform in tests). */
function endpointProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.username || url.password || url.search || url.hash) return 'must not carry credentials, a query or a fragment';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) return null;
  return 'must be an https:// address (http:// only on 127.0.0.1/localhost)';
}

const Env = z.object({
  RELAY_MS_CLIENT_ID: z.string().trim().min(1).max(300).optional(),
  RELAY_MS_TENANT: Tenant.default('common'),
  RELAY_MS_CLIENT_SECRET: z.string().min(1).max(1000).optional(),
  RELAY_MS_AUTHORITY: z.string().default('https://login.microsoftonline.com'),
  RELAY_MS_TOKEN_URL: z.string().optional(),
  RELAY_MS_SMTP_HOST: z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, 'must be a host name or IPv4 address').default('smtp.office365.com'),
  RELAY_MS_SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  RELAY_MS_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(20_000),
});

/** Reads RELAY_MS_*; throws "Invalid configuration: VAR: reason" like the rest of the relay's config. */
export function loadMicrosoftConfig(env: NodeJS.ProcessEnv): MicrosoftConfig {
  // Empty variables (VAR= in a unit file) mean "not set".
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('RELAY_MS_') && v !== ''));
  const parsed = Env.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Invalid configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  const authority = e.RELAY_MS_AUTHORITY.replace(/\/+$/, '');
  for (const [name, value] of [
    ['RELAY_MS_AUTHORITY', authority],
    ['RELAY_MS_TOKEN_URL', e.RELAY_MS_TOKEN_URL],
  ] as const) {
    const problem = value === undefined ? null : endpointProblem(value);
    if (problem) throw new Error(`Invalid configuration: ${name}: ${problem}`);
  }
  return {
    clientId: e.RELAY_MS_CLIENT_ID,
    tenant: e.RELAY_MS_TENANT,
    clientSecret: e.RELAY_MS_CLIENT_SECRET,
    authority,
    tokenUrlOverride: e.RELAY_MS_TOKEN_URL,
    smtpHost: e.RELAY_MS_SMTP_HOST.toLowerCase(),
    smtpPort: e.RELAY_MS_SMTP_PORT,
    timeoutMs: e.RELAY_MS_TIMEOUT_MS,
  };
}

/**
 * The token endpoint for a grant. After the first sign-in we know the rep's
 * tenant id (the id_token's `tid`), and refreshes go to that tenant rather
 * than to `common`, as Microsoft recommends.
 */
export function tokenUrl(config: MicrosoftConfig, tenantId?: string): string {
  if (config.tokenUrlOverride) return config.tokenUrlOverride;
  return `${config.authority}/${encodeURIComponent(tenantId ?? config.tenant)}/oauth2/v2.0/token`;
}

export function authorizeUrl(config: MicrosoftConfig): string {
  return `${config.authority}/${encodeURIComponent(config.tenant)}/oauth2/v2.0/authorize`;
}
