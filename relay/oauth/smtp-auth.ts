import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { SmtpVerdict } from '../../shared/smtp-errors';
import type { ChannelRecord } from '../store/channels';
import { MicrosoftTokenError } from './microsoft';
import type { MicrosoftTokens } from './tokens';

/**
 * nodemailer's OAuth2 auth (SASL XOAUTH2) for an OAuth channel: the current
 * access token, and a provision callback nodemailer calls when a pooled
 * connection needs a token later, or with `renew` when the server refused
 * the one it had. The callback goes through the same per-channel lock, so
 * connections opened together share one refresh.
 */
export async function oauthSmtpAuth(
  channel: ChannelRecord,
  tokens: MicrosoftTokens,
): Promise<{ auth: SMTPTransport.Options['auth']; generation: number }> {
  const first = await tokens.current(channel.id);
  // nodemailer compares expiry with Date.now(); the relay's clock may be a test's fake one.
  const wallClock = (renewAt: number) => Date.now() + Math.max(0, renewAt - tokens.now());
  return {
    generation: first.generation,
    auth: {
      type: 'OAuth2',
      user: channel.username,
      accessToken: first.token,
      expires: wallClock(first.renewAt),
      provisionCallback: (_user, renew, callback) => {
        tokens.current(channel.id, { renew }).then(
          (t) => callback(null, t.token, wallClock(t.renewAt)),
          (error: Error) => callback(error),
        );
      },
    },
  };
}

/**
 * What the delivery worker does when getting a token failed: a revoked grant
 * (or an app registration Microsoft refuses) puts the channel in "needs
 * reconnect" with its mail waiting; anything else is retried with backoff.
 * Null for errors that are not about the token.
 */
export function tokenVerdict(error: unknown): SmtpVerdict | null {
  if (!(error instanceof MicrosoftTokenError)) return null;
  switch (error.kind) {
    case 'revoked':
      return {
        action: 'auth',
        code: 'auth_failed',
        text: `Microsoft no longer accepts this Office 365 sign-in (${error.message}). Reconnect Office 365 in Sendway; queued mail waits and is sent after reconnecting.`,
      };
    case 'rejected':
      return {
        action: 'auth',
        code: 'auth_failed',
        text: `Microsoft refused the relay's application registration (${error.message}). An administrator must check RELAY_MS_CLIENT_ID and RELAY_MS_CLIENT_SECRET; queued mail waits.`,
      };
    case 'temporary':
      return { action: 'retry', text: `could not renew the Office 365 access token (${error.message}); trying again` };
  }
}

/** "Test connection" for an OAuth channel whose token could not be had: the answer, or null for other errors. */
export function tokenVerifyFailure(error: unknown): { ok: false; code: 'needs_reconnect' | 'auth_failed' | 'connect_failed'; message: string } | null {
  if (!(error instanceof MicrosoftTokenError)) return null;
  switch (error.kind) {
    case 'revoked':
      return {
        ok: false,
        code: 'needs_reconnect',
        message: `Microsoft no longer accepts this Office 365 sign-in (${error.message}). This happens after a password reset, when consent is revoked, or when the sign-in was unused for a long time. Press Reconnect and sign in again; queued mail waits.`,
      };
    case 'rejected':
      return {
        ok: false,
        code: 'auth_failed',
        message: `Microsoft refused the relay's application registration (${error.message}). Ask your administrator to check the relay's RELAY_MS_CLIENT_ID and RELAY_MS_CLIENT_SECRET.`,
      };
    case 'temporary':
      return { ok: false, code: 'connect_failed', message: `The Microsoft sign-in service could not be reached to renew access (${error.message}). Try again in a moment.` };
  }
}

/** When the SMTP server refuses a token Microsoft just issued, the password advice does not apply. */
export function explainOAuthSmtpRefusal(code: string, serverText: string): string | null {
  const reply = serverText ? ` (server said: ${serverText})` : '';
  if (code === 'auth_failed') {
    return `Office 365 did not accept the sign-in token for this mailbox${reply}. Check that Authenticated SMTP is enabled for the mailbox and that the SMTP.Send permission was granted, then reconnect.`;
  }
  return null;
}
