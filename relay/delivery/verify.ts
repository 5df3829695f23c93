import nodemailer from 'nodemailer';
import type { VerifyResult } from '../../shared/schemas/relay-api';
import { classifySmtpError, explainVerifyFailure, type SmtpErrorLike } from '../../shared/smtp-errors';
import { checkEgress, type Allowlist, type Lookup } from '../security/egress';
import type { SecretBox } from '../security/secrets';
import type { ChannelRecord } from '../store/channels';
import { smtpOptions, type SmtpEnv } from './smtp-options';

export interface VerifyDeps {
  box: SecretBox;
  allow: Allowlist;
  lookup: Lookup;
  smtp: SmtpEnv;
}

/** Connects, upgrades to TLS and authenticates, without sending anything. */
export async function verifyChannel(channel: ChannelRecord, deps: VerifyDeps): Promise<VerifyResult> {
  const egress = await checkEgress(channel.host, deps.allow, deps.lookup);
  if (!egress.ok) {
    return egress.code === 'egress_denied'
      ? { ok: false, code: 'egress_denied', message: egress.message }
      : { ok: false, code: 'connect_failed', message: explainVerifyFailure('connect_failed', channel.provider, egress.message) };
  }
  const transport = nodemailer.createTransport(smtpOptions(channel, egress.address, deps.box.open(channel.passwordEnc, channel.id), deps.smtp));
  try {
    await transport.verify();
    return { ok: true };
  } catch (error) {
    const verdict = classifySmtpError(error as SmtpErrorLike);
    const code = verdict.code ?? 'connect_failed';
    return { ok: false, code, message: explainVerifyFailure(code, channel.provider, verdict.text) };
  } finally {
    transport.close();
  }
}
