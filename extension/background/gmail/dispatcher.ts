import { SendwayError } from '../../../shared/messages';
import type { OutgoingDraft, SendOutcome } from '../../../shared/messages/channels';
import { checkMessageFits, DAY_MS, type LimitSpec } from '../../../shared/limits';
import { addressOf, recipientCount } from '../../../shared/schemas/mail';
import { GmailApiError, sendRaw, type GmailSendResult } from './api';
import type { GmailAuth } from './auth';
import { gmailLimitSpec, type GmailConfig } from './config';
import type { Ledger } from './ledger';
import { Lock } from './lock';
import { buildMime, GMAIL_MAX_MESSAGE_BYTES, mimeSize, newMessageId, recipientsOf } from './mime';
import { randomToken } from './oauth';
import { outcomeOf, type Outbox, type OutboxItem } from './outbox';
import { DEFAULT_RETRY, GaveUp, withRetry, type RetryPolicy, type Sleep } from './retry';
import { formatWhen, say } from './text';
import type { AccountInfo } from './token-store';

const HOLD_KEY = 'gmail.hold';
/** Deferred retries of one message, across wake-ups, before it is reported failed. */
const MAX_DEFERRALS = 8;
/** How long a pending item waits for the rep to sign in again before the next look. */
const SIGN_IN_RECHECK_MS = 15 * 60_000;

export interface DispatcherDeps {
  auth: Pick<GmailAuth, 'account' | 'accessToken' | 'renewAfterUnauthorized' | 'requireSignIn'>;
  outbox: Outbox;
  ledger: Ledger;
  config: () => Promise<GmailConfig>;
  fetch: typeof fetch;
  now: () => number;
  random: () => number;
  sleep: Sleep;
  /** Asks to be woken (drain()) at this time; the latest call wins. */
  wake: (at: number | undefined) => void;
  online?: () => boolean;
  newId?: () => string;
  retry?: RetryPolicy;
}

/** Google told us the account's sending limit is spent: no request until then. */
export interface Hold {
  account: string;
  until: number;
}

type Mode = 'now' | 'drain';

/**
 * The Gmail channel's send pipeline: idempotency through the outbox, limits
 * through the ledger (refuse a click over the daily limit, pace the
 * per-minute one), MIME, users.messages.send with backoff, 401 → one silent
 * re-auth. One message at a time (Gmail's concurrency is 1).
 */
export class GmailDispatcher {
  private readonly sendLock = new Lock();
  private draining: Promise<void> | undefined;

  constructor(private readonly deps: DispatcherDeps) {}

  async submit(items: { idempotencyKey: string; draft: OutgoingDraft }[], options: { sendAt?: string }): Promise<SendOutcome[]> {
    const results: SendOutcome[] = [];
    for (const { idempotencyKey, draft } of items) {
      results.push(await this.sendLock.run(() => this.submitOne(idempotencyKey, draft, options.sendAt)));
    }
    await this.reschedule();
    return results;
  }

  /** Sends what is due (scheduled, paced, retrying). Called by the alarm, at start-up and after connecting. */
  drain(): Promise<void> {
    this.draining ??= (async () => {
      try {
        for (let round = 0; round < 1000; round++) {
          const [item] = await this.deps.outbox.due(this.deps.now());
          if (!item) break;
          await this.sendLock.run(() => this.drainOne(item.id));
        }
      } finally {
        this.draining = undefined;
        await this.reschedule();
      }
    })();
    return this.draining;
  }

  /** After a restart, a 'sending' record was cut off mid-request: it may have gone out, so never resend it. */
  recover(): Promise<void> {
    // Under the send lock and queued first at start-up, so it never sees a send of this worker's own.
    return this.sendLock.run(async () => {
      const now = this.deps.now();
      for (const item of await this.deps.outbox.list()) {
        if (item.status === 'sending') {
          await this.deps.outbox.update(item.id, { status: 'failed', retryable: false, errorCode: 'interrupted', error: say('gmail.errors.interrupted') }, now);
        }
      }
    });
  }

  async hold(account: string, now: number): Promise<Hold | undefined> {
    const hold = (await browser.storage.local.get(HOLD_KEY))[HOLD_KEY] as Hold | undefined;
    return hold && hold.account === account && hold.until > now ? hold : undefined;
  }

  private async reschedule(): Promise<void> {
    this.deps.wake(await this.deps.outbox.nextDue());
  }

  private async submitOne(idempotencyKey: string, draft: OutgoingDraft, sendAt: string | undefined): Promise<SendOutcome> {
    const now = this.deps.now();
    const config = await this.deps.config();
    if (!config.clientId) return refusal('not_configured', say('gmail.errors.notConfigured'));
    if (!config.allowed) return refusal('not_allowed', say('gmail.errors.notAllowed'));
    const account = await this.deps.auth.account();
    if (!account) return refusal('needs_sign_in', say('gmail.errors.signedOut'));
    if (draft.from && addressOf(draft.from) !== account.email) {
      return refusal('from_mismatch', say('gmail.errors.fromMismatch', [account.email, addressOf(draft.from)]));
    }
    const recipients = recipientCount(draft);
    const item: OutboxItem = {
      id: this.deps.newId?.() ?? `g_${randomToken(10)}`,
      idempotencyKey,
      account: account.email,
      status: 'queued',
      createdAt: now,
      updatedAt: now,
      attempts: 0,
      messageId: newMessageId(account.email, `${now.toString(36)}.${randomToken(8)}`),
      subject: draft.subject,
      to: recipientsOf(draft).slice(0, 50),
      recipients,
      ...(sendAt ? { sendAt: Date.parse(sendAt) } : {}),
    };
    const claimed = await this.deps.outbox.claim(item, now);
    if (claimed.existing) return outcomeOf(claimed.item);
    const mine = claimed.item;

    const spec = gmailLimitSpec(config, accountType(account));
    const fit = checkMessageFits(spec, recipients);
    if (fit) return this.fail(mine, 'too_many_recipients', say('gmail.errors.tooManyRecipients', [fit.limit, fit.recipients]), true);

    if (mine.sendAt !== undefined && mine.sendAt > now) {
      await this.deps.outbox.saveDraft(mine.id, draft);
      return outcomeOf((await this.deps.outbox.update(mine.id, { status: 'scheduled' }, now))!);
    }
    return this.attempt(mine, draft, account, spec, 'now');
  }

  private async drainOne(id: string): Promise<void> {
    const now = this.deps.now();
    const item = await this.deps.outbox.get(id);
    if (!item || !['scheduled', 'queued', 'retrying'].includes(item.status)) return;
    const draft = await this.deps.outbox.draft(id);
    if (!draft) {
      await this.fail(item, 'draft_missing', say('gmail.errors.draftMissing'), true);
      return;
    }
    const account = await this.deps.auth.account();
    if (!account || account.email !== item.account || account.needsSignIn) {
      // Wait for the rep to connect this account again; connecting drains.
      await this.deps.outbox.update(id, { status: 'retrying', nextAttemptAt: now + SIGN_IN_RECHECK_MS, errorCode: 'needs_sign_in', error: say('gmail.errors.needsSignIn') }, now);
      return;
    }
    const config = await this.deps.config();
    await this.attempt(item, draft, account, gmailLimitSpec(config, accountType(account)), 'drain');
  }

  private async attempt(item: OutboxItem, draft: OutgoingDraft, account: AccountInfo, spec: LimitSpec, mode: Mode): Promise<SendOutcome> {
    const { outbox, ledger } = this.deps;
    const now = this.deps.now();
    const hold = await this.hold(account.email, now);
    const slot = Math.max(await ledger.nextSlot(account.email, now, spec, item.recipients), hold?.until ?? 0);
    if (slot > now) {
      const usage = await ledger.usage(account.email, now, spec);
      const dayFull = usage.perDay.limit !== null && usage.perDay.used >= usage.perDay.limit;
      // A click over the daily limit is refused (the rep decides); scheduled and paced mail waits for its slot.
      if (mode === 'now' && (dayFull || hold)) {
        const message = hold
          ? say('gmail.errors.googleQuota', [formatWhen(hold.until, now)])
          : say('gmail.errors.dailyLimit', [spec.perDay ?? 0, formatWhen(slot, now)]);
        return this.fail(item, hold ? 'quota_exceeded' : 'daily_limit', message, true);
      }
      if (mode === 'now') await outbox.saveDraft(item.id, draft);
      return outcomeOf((await outbox.update(item.id, { status: 'queued', nextAttemptAt: slot }, now))!);
    }
    if (this.deps.online && !this.deps.online()) return this.deferOrFail(item, draft, mode, 'offline', say('gmail.errors.offline'), 60_000);

    const raw = buildMime(draft, {
      from: { address: account.email, ...(draft.from && typeof draft.from !== 'string' && draft.from.name ? { name: draft.from.name } : {}) },
      messageId: item.messageId,
      date: new Date(now),
    });
    const size = mimeSize(raw);
    if (size > GMAIL_MAX_MESSAGE_BYTES) return this.fail(item, 'too_large', say('gmail.errors.tooLarge', [(size / 1048576).toFixed(1)]), true);

    // Reserve the slot before the request leaves, so the gauge never under-counts.
    await ledger.record(account.email, { id: item.id, at: now, recipients: item.recipients });
    await outbox.update(item.id, { status: 'sending', attempts: item.attempts + 1 }, now);
    let sent: GmailSendResult;
    try {
      sent = await this.sendWithAuth(raw, draft.threadId);
    } catch (error) {
      return this.afterFailure(item, draft, account, mode, error);
    }
    const done = await outbox.update(
      item.id,
      { status: 'sent', sentAt: this.deps.now(), gmailId: sent.id, threadId: sent.threadId, nextAttemptAt: undefined, errorCode: undefined, error: undefined },
      this.deps.now(),
    );
    return outcomeOf(done!);
  }

  private async sendWithAuth(raw: string, threadId: string | undefined): Promise<GmailSendResult> {
    const { auth } = this.deps;
    let token = await auth.accessToken();
    let renewed = false;
    return withRetry(
      async () => {
        const apiBase = (await this.deps.config()).apiBase;
        const call = () => sendRaw({ apiBase, accessToken: token, raw, threadId, fetch: this.deps.fetch, now: this.deps.now });
        try {
          return await call();
        } catch (error) {
          if (!(error instanceof GmailApiError) || error.kind !== 'unauthorized' || renewed) throw error;
          renewed = true;
          token = await auth.renewAfterUnauthorized(token);
          return await call();
        }
      },
      { policy: this.deps.retry ?? DEFAULT_RETRY, random: this.deps.random, sleep: this.deps.sleep },
    );
  }

  private async afterFailure(item: OutboxItem, draft: OutgoingDraft, account: AccountInfo, mode: Mode, error: unknown): Promise<SendOutcome> {
    const { ledger } = this.deps;
    const now = this.deps.now();
    // Not a Gmail answer: sign-in needed (SendwayError) or a bug. Gmail did not get the message.
    if (!(error instanceof GaveUp)) {
      await ledger.release(account.email, item.id);
      if (error instanceof SendwayError) {
        if (error.code === 'needs_sign_in' || error.code === 'auth_unreachable') {
          return this.deferOrFail(item, draft, mode, error.code, error.message, SIGN_IN_RECHECK_MS);
        }
        return this.fail(item, error.code, error.message, true);
      }
      console.error('[sendway] Gmail send failed', error);
      return this.fail(item, 'internal', say('gmail.errors.rejected', [error instanceof Error ? error.message : String(error)]), true);
    }
    const e = error.error;
    if (e.kind === 'network') {
      // The request may have reached Google: keep the ledger entry, never resend on our own.
      return this.fail(item, 'uncertain', say('gmail.errors.uncertain'), false);
    }
    await ledger.release(account.email, item.id);
    switch (e.kind) {
      case 'unauthorized':
      case 'scope': {
        const signIn = await this.deps.auth.requireSignIn();
        return this.deferOrFail(item, draft, mode, signIn.code, signIn.message, SIGN_IN_RECHECK_MS);
      }
      case 'quota': {
        const until = now + (e.retryAfterMs ?? 3600_000);
        await browser.storage.local.set({ [HOLD_KEY]: { account: account.email, until } satisfies Hold });
        return this.deferOrFail(item, draft, mode, 'quota_exceeded', say('gmail.errors.googleQuota', [formatWhen(until, now)]), until - now);
      }
      case 'rate_limited':
      case 'server': {
        const message = e.kind === 'server' ? say('gmail.errors.serverError', [e.status]) : say('gmail.errors.rateLimited');
        // Accepted mail is not dropped over a busy Gmail: it waits in the outbox and goes out later.
        return this.defer(item, draft, mode, e.kind === 'server' ? 'server_error' : 'rate_limited', message, error.deferMs ?? 60_000);
      }
      case 'forbidden':
        return this.fail(item, 'forbidden', say('gmail.errors.forbidden', [e.googleMessage]), true);
      default:
        return this.fail(item, 'rejected', say('gmail.errors.rejected', [e.googleMessage]), true);
    }
  }

  /** Scheduled and paced mail waits and tries again; a click gets the answer now. */
  private deferOrFail(item: OutboxItem, draft: OutgoingDraft, mode: Mode, code: string, message: string, waitMs: number): Promise<SendOutcome> {
    return mode === 'drain' ? this.defer(item, draft, mode, code, message, waitMs) : this.fail(item, code, message, true);
  }

  private async defer(item: OutboxItem, draft: OutgoingDraft, mode: Mode, code: string, message: string, waitMs: number): Promise<SendOutcome> {
    const now = this.deps.now();
    const current = (await this.deps.outbox.get(item.id)) ?? item;
    if (current.attempts >= MAX_DEFERRALS) return this.fail(current, code, message, true);
    if (mode === 'now') await this.deps.outbox.saveDraft(item.id, draft);
    const updated = await this.deps.outbox.update(item.id, { status: 'retrying', nextAttemptAt: now + waitMs, errorCode: code, error: message }, now);
    return outcomeOf(updated!);
  }

  private async fail(item: OutboxItem, code: string, message: string, retryable: boolean): Promise<SendOutcome> {
    const updated = await this.deps.outbox.update(item.id, { status: 'failed', retryable, errorCode: code, error: message, nextAttemptAt: undefined }, this.deps.now());
    return outcomeOf(updated ?? { ...item, status: 'failed', errorCode: code, error: message });
  }

  async counts(now: number) {
    return this.deps.outbox.counts(now - DAY_MS);
  }
}

function refusal(code: string, message: string): SendOutcome {
  return { ok: false, code, message };
}

export function accountType(account: Pick<AccountInfo, 'hostedDomain'>): 'consumer' | 'workspace' {
  return account.hostedDomain ? 'workspace' : 'consumer';
}
