import nodemailer from 'nodemailer';
import type { VerifyResult } from '../../shared/schemas/relay-api';
import { classifySmtpError, explainVerifyFailure, type SmtpErrorLike } from '../../shared/smtp-errors';
import { explainOAuthSmtpRefusal, oauthSmtpAuth, tokenVerifyFailure } from '../oauth/smtp-auth';
import type { MicrosoftTokens } from '../oauth/tokens';
import { checkEgress, type Allowlist, type Lookup } from '../security/egress';
import type { SecretBox } from '../security/secrets';
import type { ChannelRecord } from '../store/channels';
import { smtpOptions, type SmtpEnv } from './smtp-options';

export interface VerifyDeps {
  box: SecretBox;
  allow: Allowlist;
  lookup: Lookup;
  smtp: SmtpEnv;
  /** Access tokens for OAuth (Office 365 modern authentication) channels. */
  oauth?: MicrosoftTokens;
}

/** Connects, upgrades to TLS and authenticates, without sending anything. */
export async function verifyChannel(channel: ChannelRecord, deps: VerifyDeps): Promise<VerifyResult> {
  const egress = await checkEgress(channel.host, deps.allow, deps.lookup);
  if (!egress.ok) {
    return egress.code === 'egress_denied'
      ? { ok: false, code: 'egress_denied', message: egress.message }
      : { ok: false, code: 'connect_failed', message: explainVerifyFailure('connect_failed', channel.provider, egress.message) };
  }
  let oauth: Awaited<ReturnType<typeof oauthSmtpAuth>> | undefined;
  if (channel.auth === 'oauth2') {
    try {
      if (!deps.oauth) throw new Error('OAuth channels need the relay\'s token manager');
      oauth = await oauthSmtpAuth(channel, deps.oauth);
    } catch (error) {
      const failed = tokenVerifyFailure(error);
      if (failed) return failed;
      throw error;
    }
  }
  const password = oauth ? '' : deps.box.open(channel.passwordEnc, channel.id);
  const transport = nodemailer.createTransport({ ...smtpOptions(channel, egress.address, password, deps.smtp), ...(oauth ? { auth: oauth.auth } : {}) });
  try {
    await transport.verify();
    return { ok: true };
  } catch (error) {
    const failed = tokenVerifyFailure(error);
    if (failed) return failed;
    const verdict = classifySmtpError(error as SmtpErrorLike);
    const code = verdict.code ?? 'connect_failed';
    const oauthText = oauth ? explainOAuthSmtpRefusal(code, verdict.text) : null;
    if (oauthText) return { ok: false, code, message: oauthText };
    return { ok: false, code, message: explainVerifyFailure(code, channel.provider, verdict.text) };
  } finally {
    transport.close();
  }
}
