import type { ChannelView } from '../../../shared/messages/channels';
import type { GmailStatus } from '../../../shared/messages/gmail';
import { DAY_MS, usage } from '../../../shared/limits';
import { GmailAuth, toSendwayError } from './auth';
import { gmailLimitSpec, effectiveAccountType, scopesFor, type GmailConfig } from './config';
import { accountType, GmailDispatcher } from './dispatcher';
import type { Ledger } from './ledger';
import type { Outbox } from './outbox';
import { formatWhen, say } from './text';

export const GMAIL_CHANNEL_ID = 'gmail';

export interface GmailChannelParts {
  auth: GmailAuth;
  dispatcher: GmailDispatcher;
  ledger: Ledger;
  outbox: Outbox;
  config: () => Promise<GmailConfig>;
  now: () => number;
}

/** What the popup and the channel list see of the Gmail channel. Holds no state of its own. */
export class GmailChannel {
  constructor(private readonly parts: GmailChannelParts) {}

  get dispatcher(): GmailDispatcher {
    return this.parts.dispatcher;
  }

  /** The signed-in account's tokens (sequences read thread metadata with them when policy allows). */
  get auth(): GmailAuth {
    return this.parts.auth;
  }

  async status(): Promise<GmailStatus> {
    const { auth, config: loadConfig, dispatcher, now } = this.parts;
    const config = await loadConfig();
    const account = await auth.account();
    const hold = account ? await dispatcher.hold(account.email, now()) : undefined;
    return {
      configured: !!config.clientId,
      allowed: config.allowed,
      connected: !!account,
      ...(account ? { account: account.email } : {}),
      accountType: effectiveAccountType(config, account ? accountType(account) : undefined),
      dailyLimit: gmailLimitSpec(config, account ? accountType(account) : undefined).perDay ?? 0,
      needsSignIn: account?.needsSignIn ?? false,
      scopes: account?.scopes ?? scopesFor(config),
      ...(hold ? { pausedUntil: new Date(hold.until).toISOString() } : {}),
    };
  }

  async connect(): Promise<GmailStatus> {
    try {
      await this.parts.auth.connect();
    } catch (error) {
      throw toSendwayError(error);
    }
    // Mail that waited for the rep to sign in can go now.
    void this.parts.dispatcher.drain();
    return this.status();
  }

  async disconnect(): Promise<GmailStatus> {
    const { revoked } = await this.parts.auth.disconnect();
    return { ...(await this.status()), revoked };
  }

  /** The channel as channels.list shows it; none when Gmail is not configured or not allowed. */
  async views(): Promise<ChannelView[]> {
    const { auth, config: loadConfig, dispatcher, ledger, outbox, now: clock } = this.parts;
    const config = await loadConfig();
    if (!config.clientId || !config.allowed) return [];
    const now = clock();
    const account = await auth.account();
    const spec = gmailLimitSpec(config, account ? accountType(account) : undefined);
    const entries = account ? await ledger.entries(account.email, now) : [];
    const used = usage(entries, now, spec);
    const hold = account ? await dispatcher.hold(account.email, now) : undefined;
    const slot = Math.max(account ? await ledger.nextSlot(account.email, now, spec, 1) : now, hold?.until ?? 0);
    const counts = await outbox.counts(now - DAY_MS);
    const status: ChannelView['status'] = !account ? 'signed_out' : account.needsSignIn ? 'needs_reconnect' : 'ready';
    const statusMessage = !account
      ? say('gmail.status.signedOut')
      : account.needsSignIn
        ? say('gmail.status.needsSignIn')
        : hold
          ? say('gmail.status.paused', [formatWhen(hold.until, now)])
          : undefined;
    return [
      {
        id: GMAIL_CHANNEL_ID,
        kind: 'gmail',
        name: say('gmail.channelName'),
        scope: 'personal',
        ...(account ? { account: account.email } : {}),
        status,
        ...(statusMessage ? { statusMessage } : {}),
        limits: {
          perMinute: used.perMinute,
          perDay: used.perDay,
          perMessage: spec.perMessage,
          nextSlotAt: new Date(Number.isFinite(slot) ? slot : now).toISOString(),
          ...counts,
        },
      },
    ];
  }
}
