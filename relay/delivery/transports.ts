import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { Logger } from '../log';
import { oauthSmtpAuth } from '../oauth/smtp-auth';
import type { MicrosoftTokens } from '../oauth/tokens';
import { checkEgress, type Allowlist, type Lookup } from '../security/egress';
import type { SecretBox } from '../security/secrets';
import type { ChannelRecord } from '../store/channels';
import { smtpOptions, type SmtpEnv } from './smtp-options';
import type { SmtpThread, SmtpTransport } from './smtp-thread';

export class EgressError extends Error {
  constructor(
    readonly code: 'egress_denied' | 'host_not_found',
    message: string,
  ) {
    super(message);
  }
}

interface Entry {
  key: string;
  transport: SmtpTransport;
  users: number;
  lastUsed: number;
  retired: boolean;
}

export interface TransportDeps {
  box: SecretBox;
  allow: Allowlist;
  lookup: Lookup;
  smtp: SmtpEnv;
  logger: Logger;
  /** Access tokens for OAuth (Office 365 modern authentication) channels. */
  oauth?: MicrosoftTokens;
  /** Run the SMTP connections on this thread (smtp-thread.ts); on the main thread without it. */
  thread?: SmtpThread;
}

/**
 * One pooled nodemailer transport per channel. A transport is rebuilt (and the
 * old one closed once idle) when the channel changes or its connection cap
 * changes, e.g. after Office 365 asks us to slow down. Each new transport
 * re-resolves and re-checks the SMTP host (egress control at send time).
 */
export class TransportPool {
  private entries = new Map<string, Entry>();
  private retired = new Set<Entry>();

  constructor(private readonly deps: TransportDeps) {}

  async acquire(channel: ChannelRecord, maxConnections: number, now: number): Promise<{ transport: Entry['transport']; release: () => void }> {
    // An OAuth channel's token comes first (refreshed if due): a new token means new connections that log in with it.
    const oauth = channel.auth === 'oauth2' ? await this.oauthAuth(channel) : undefined;
    const key = `${channel.updatedAt}:${maxConnections}${oauth ? `:${oauth.generation}` : ''}`;
    let entry = this.entries.get(channel.id);
    if (entry && (entry.key !== key || entry.transport.isOpen?.() === false)) {
      this.retire(entry);
      this.entries.delete(channel.id);
      entry = undefined;
    }
    if (!entry) {
      const egress = await checkEgress(channel.host, this.deps.allow, this.deps.lookup);
      if (!egress.ok) throw new EgressError(egress.code, egress.message);
      // Another acquire may have built one while we resolved.
      entry = this.entries.get(channel.id);
      if (!entry || entry.key !== key || entry.transport.isOpen?.() === false) {
        if (entry) this.retire(entry); // built meanwhile for an older key (e.g. the token before a refresh)
        const password = oauth ? '' : this.deps.box.open(channel.passwordEnc, channel.id);
        const options = {
          ...smtpOptions(channel, egress.address, password, this.deps.smtp),
          ...(oauth ? { auth: oauth.auth } : {}),
          pool: true,
          maxConnections,
          maxMessages: 100,
        } as SMTPPool.Options;
        const transport: SmtpTransport = this.deps.thread ? this.deps.thread.createTransport(options, this.deps.smtp.ca) : nodemailer.createTransport(options);
        entry = { key, transport, users: 0, lastUsed: now, retired: false };
        this.entries.set(channel.id, entry);
      }
    }
    const e = entry;
    e.users++;
    e.lastUsed = now;
    let released = false;
    return {
      transport: e.transport,
      release: () => {
        if (released) return;
        released = true;
        e.users--;
        if (e.retired && e.users === 0) this.closeEntry(e);
      },
    };
  }

  private oauthAuth(channel: ChannelRecord) {
    if (!this.deps.oauth) throw new Error('OAuth channels need the relay\'s token manager');
    return oauthSmtpAuth(channel, this.deps.oauth);
  }

  /** Drops a channel's transport (deleted, credentials refused, slowed down). */
  invalidate(channelId: string): void {
    const entry = this.entries.get(channelId);
    if (!entry) return;
    this.entries.delete(channelId);
    this.retire(entry);
  }

  /** Closes transports nobody used for `idleMs`, so idle SMTP connections do not count against a provider's cap. */
  sweep(now: number, idleMs: number): void {
    for (const [id, entry] of this.entries) {
      if (entry.users === 0 && now - entry.lastUsed > idleMs) {
        this.entries.delete(id);
        this.closeEntry(entry);
      }
    }
  }

  /**
   * Whether sends wait on their transport for a free connection (on the SMTP thread): then the
   * worker hands over every claim at once, and takes back what has not started (takeBackAll).
   */
  get queuesAhead(): boolean {
    return this.deps.thread !== undefined;
  }

  /** Every transport gives back the sends not started yet (SmtpTransport.takeBack). */
  async takeBackAll(): Promise<void> {
    await Promise.all([...this.entries.values(), ...this.retired].map((e) => e.transport.takeBack?.()));
  }

  closeAll(): void {
    for (const entry of this.entries.values()) this.closeEntry(entry);
    for (const entry of this.retired) this.closeEntry(entry);
    this.entries.clear();
    this.retired.clear();
  }

  private retire(entry: Entry) {
    entry.retired = true;
    if (entry.users === 0) this.closeEntry(entry);
    else this.retired.add(entry);
  }

  private closeEntry(entry: Entry) {
    this.retired.delete(entry);
    try {
      entry.transport.close();
    } catch (error) {
      this.deps.logger.warn('transport_close_failed', { error: (error as Error).message });
    }
  }
}
