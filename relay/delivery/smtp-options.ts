import tls from 'node:tls';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { ChannelRecord } from '../store/channels';

/**
 * One TLS context per extra CA, built once: a context with the system roots
 * plus a custom CA parses ~150 certificates, too slow to redo per connection.
 */
const contexts = new Map<string, tls.SecureContext>();
function secureContext(ca: string): tls.SecureContext {
  let ctx = contexts.get(ca);
  if (!ctx) {
    ctx = tls.createSecureContext({ ca: [...tls.rootCertificates, ca], minVersion: 'TLSv1.2' });
    contexts.set(ca, ctx);
  }
  return ctx;
}

export interface SmtpEnv {
  /** Extra trusted CA (PEM), added to Node's root store. */
  ca: string | undefined;
  timeoutMs: number;
}

/**
 * nodemailer options for a channel, connecting to the egress-checked `address`
 * while verifying the certificate against the host name the rep typed.
 */
export function smtpOptions(channel: ChannelRecord, address: string, password: string, env: SmtpEnv): SMTPTransport.Options {
  const hostIsIp = /^[\d.]+$|:/.test(channel.host);
  return {
    host: address,
    port: channel.port,
    secure: channel.security === 'tls',
    requireTLS: channel.security === 'starttls',
    ignoreTLS: channel.security === 'none',
    auth: { user: channel.username, pass: password },
    tls: {
      minVersion: 'TLSv1.2',
      rejectUnauthorized: true,
      ...(hostIsIp ? {} : { servername: channel.host }),
      ...(env.ca ? { secureContext: secureContext(env.ca) } : {}),
    },
    connectionTimeout: env.timeoutMs,
    greetingTimeout: env.timeoutMs,
    socketTimeout: env.timeoutMs * 2,
    dnsTimeout: env.timeoutMs,
    // Only the content we pass is ever sent: no local files, no URLs fetched on a rep's behalf.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
    debug: false,
  };
}
