/**
 * Pure classification of SMTP replies and transport errors (nodemailer's
 * error shape: code, originalCode, responseCode, response, command) into what
 * the relay does next. Office 365 replies are from shared/notes/PROVIDERS.md.
 */
export type SmtpErrorLike = {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
};

export type SmtpAction =
  /** Temporary: try this message again later with backoff. */
  | 'retry'
  /** Permanent: the message fails with the server's text. */
  | 'fail'
  /** Quota spent: keep the message queued and hold the whole channel until its window frees. */
  | 'hold'
  /** Too many connections: retry, and use fewer connections for a while. */
  | 'slow_down'
  /** Credentials refused or disabled: the channel needs reconnecting; keep its mail queued. */
  | 'auth';

export type AuthCode = 'auth_failed' | 'smtp_auth_disabled' | 'basic_auth_unsupported';
export type ConnectCode = 'tls_failed' | 'connect_failed' | 'timeout';

export interface SmtpVerdict {
  action: SmtpAction;
  /** Set for auth and connection problems: what a verify reports. */
  code?: AuthCode | ConnectCode;
  /** The server's reply, or the transport error, for lastError. Never contains credentials. */
  text: string;
}

const NETWORK_CODES = new Set(['ECONNECTION', 'ESOCKET', 'EDNS', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPROTOCOL']);

const TLS_HINT = /certificate|self[- ]signed|altname|tls|ssl|handshake|wrong version number|unable to verify/i;

/** Text of the server's reply where there is one, otherwise the error message. */
export function smtpText(e: SmtpErrorLike): string {
  const text = (e.response ?? e.message ?? String(e.code ?? 'unknown SMTP error')).replace(/[\r\n]+/g, ' ').trim();
  return text.slice(0, 1000);
}

/** 535 5.7.139 (tenant or mailbox has SMTP AUTH off, or Security Defaults block it). */
const AUTH_DISABLED = /5\.7\.139|SmtpClientAuthentication is disabled|security defaults/i;
/** 550 5.7.30 Basic authentication is not supported for Client Submission. */
const BASIC_UNSUPPORTED = /5\.7\.30|basic authentication is not supported/i;
const WRONG_CREDENTIALS = /5\.7\.(3|8|57)\b|authentication (unsuccessful|failed)|invalid credentials|username and password not accepted|client not authenticated/i;
/** 432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded — and other servers' "too many connections". */
const THREAD_LIMIT = /4\.3\.2|sender thread limit|too many (concurrent )?(smtp )?connections|concurrent connections limit/i;
/** 554 5.2.0 SubmissionQuotaExceededException; Gmail's 550 5.4.5 daily sending quota. */
const QUOTA = /SubmissionQuotaExceeded|sending quota exceeded|5\.4\.5 daily|quota exceeded/i;

export function classifySmtpError(e: SmtpErrorLike): SmtpVerdict {
  const text = smtpText(e);
  const reply = `${e.responseCode ?? ''} ${e.response ?? ''} ${e.message ?? ''}`;
  const rc = e.responseCode;

  if (e.code === 'ETIMEDOUT' || e.originalCode === 'ETIMEDOUT') return { action: 'retry', code: 'timeout', text };
  if (e.code === 'ETLS' || ((e.code === 'ESOCKET' || e.code === 'ECONNECTION') && !rc && TLS_HINT.test(`${e.message ?? ''} ${e.originalCode ?? ''}`))) {
    return { action: 'retry', code: 'tls_failed', text };
  }
  if (rc !== undefined) {
    if (QUOTA.test(reply)) return { action: 'hold', text };
    if (THREAD_LIMIT.test(reply) && rc < 500) return { action: 'slow_down', text };
    if (BASIC_UNSUPPORTED.test(reply) && (e.code === 'EAUTH' || rc === 550 || rc === 535)) {
      return { action: 'auth', code: 'basic_auth_unsupported', text };
    }
    if (AUTH_DISABLED.test(reply)) return { action: 'auth', code: 'smtp_auth_disabled', text };
    if (e.code === 'EAUTH' || rc === 535 || rc === 534 || (rc === 530 && /5\.7\.0|authentication required/i.test(reply)) || (rc >= 500 && /5\.7\.57/.test(reply))) {
      return { action: 'auth', code: 'auth_failed', text };
    }
    if (rc >= 400 && rc < 500) return { action: 'retry', text };
    if (rc >= 500) return { action: 'fail', text };
  }
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH') {
    return WRONG_CREDENTIALS.test(reply) || !rc ? { action: 'auth', code: 'auth_failed', text } : { action: 'fail', text };
  }
  if ((e.code && NETWORK_CODES.has(e.code)) || (e.originalCode && NETWORK_CODES.has(e.originalCode))) {
    return { action: 'retry', code: 'connect_failed', text };
  }
  // Envelope or message build errors without a reply are our side and will not improve with time.
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return { action: 'fail', text };
  return { action: 'retry', code: 'connect_failed', text };
}

/**
 * Backoff before attempt `attempt + 1` (attempt >= 1): exponential from
 * `baseMs`, capped, with ±25 % jitter so a fleet of retries does not stampede.
 */
export function backoffMs(attempt: number, random: () => number = Math.random, baseMs = 15_000, capMs = 30 * 60_000): number {
  const raw = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.75 + random() * 0.5));
}

export type VerifyFailureCode = AuthCode | ConnectCode;

/** A sentence a rep understands, per verify code; Office 365 gets its own advice. */
export function explainVerifyFailure(code: VerifyFailureCode, provider: string, serverText: string): string {
  const o365 = provider === 'office365';
  const reply = serverText ? ` (server said: ${serverText})` : '';
  switch (code) {
    case 'auth_failed':
      return o365
        ? `Office 365 did not accept the mailbox name and password${reply}. If you changed your password, the channel stops working until you update it here; modern authentication (OAuth) is the lasting fix.`
        : `The SMTP server did not accept the user name and password${reply}. Check them and try again.`;
    case 'smtp_auth_disabled':
      return `SMTP AUTH is turned off for this mailbox or tenant (or blocked by Security Defaults)${reply}. Ask your Microsoft 365 administrator to enable Authenticated SMTP for your mailbox, or use modern authentication (OAuth), which is the lasting fix.`;
    case 'basic_auth_unsupported':
      return `Office 365 no longer accepts a password for SMTP on this tenant (basic authentication is off)${reply}. Use modern authentication (OAuth) instead.`;
    case 'tls_failed':
      return `A secure (TLS) connection to the SMTP server could not be set up${reply}. Check the port and security setting, and that the server has a valid certificate.`;
    case 'connect_failed':
      return `The relay could not connect to the SMTP server${reply}. Check the host name and port.`;
    case 'timeout':
      return `The SMTP server did not answer in time${reply}. Check the host and port, or try again later.`;
  }
}
