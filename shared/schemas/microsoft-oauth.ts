import { z } from 'zod';
import { HeaderText } from './mail';

/**
 * Office 365 with modern authentication: the bodies of the relay's OAuth
 * routes. The extension runs the authorization-code flow with PKCE and hands
 * the code, its verifier and the redirect URI to the relay, which redeems
 * them at the Microsoft identity platform and keeps the refresh token.
 */

/** The delegated scope for SMTP AUTH with XOAUTH2 (PROVIDERS.md). */
export const SMTP_SEND_SCOPE = 'https://outlook.office.com/SMTP.Send';
/** What the extension asks for: SMTP.Send, a refresh token, and an id_token naming the mailbox. */
export const MICROSOFT_SCOPES = [SMTP_SEND_SCOPE, 'offline_access', 'openid', 'email'] as const;

/** RFC 7636: 43–128 characters of [A-Z a-z 0-9 - . _ ~]. */
export const CodeVerifier = z
  .string()
  .regex(/^[A-Za-z0-9\-._~]{43,128}$/, 'must be a PKCE code verifier (43 to 128 letters, digits or -._~)');

/** An https redirect URI without credentials or fragment, e.g. https://<extension-id>.chromiumapp.org/. */
export const RedirectUri = z
  .url({ protocol: /^https$/, error: 'must be an https:// address' })
  .max(500)
  .refine((u) => {
    const url = new URL(u);
    return !url.username && !url.password && !url.hash;
  }, 'must not carry a user name, password or #fragment');

/** POST /v1/channels/office365/oauth and POST /v1/channels/:id/oauth. */
export const OAuthCodeRequest = z
  .object({
    /** The authorization code from the redirect; printable ASCII only. */
    code: z.string().min(1).max(4000).regex(/^[\x21-\x7e]+$/, 'must be the code from the sign-in redirect'),
    codeVerifier: CodeVerifier,
    redirectUri: RedirectUri,
    name: HeaderText.min(1).max(100).optional(),
  })
  .strict();
export type OAuthCodeRequest = z.infer<typeof OAuthCodeRequest>;

/** GET /v1/channels/office365/oauth: how the relay is set up for Microsoft sign-in (nothing secret). */
export const MicrosoftOAuthInfo = z.object({
  /** False when RELAY_MS_CLIENT_ID is not set: the relay cannot redeem codes. */
  configured: z.boolean(),
  clientId: z.string().optional(),
  tenant: z.string(),
  /** The authorization endpoint matching the relay's authority and tenant. */
  authorizeUrl: z.string(),
  scopes: z.array(z.string()),
});
export type MicrosoftOAuthInfo = z.infer<typeof MicrosoftOAuthInfo>;
