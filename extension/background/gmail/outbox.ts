import type { MessageStatus } from '../../../shared/schemas/relay-api';
import type { OutgoingDraft, SendOutcome } from '../../../shared/messages/channels';
import { Lock } from './lock';

const KEY = 'gmail.outbox';
const DRAFT_PREFIX = 'gmail.outbox.draft.';
/** Finished items kept for the popup's outbox view and for idempotency. */
const KEEP_FINISHED_MS = 7 * 24 * 3600_000;
const KEEP_FINISHED_MAX = 500;

export interface OutboxItem {
  id: string;
  idempotencyKey: string;
  account: string;
  status: MessageStatus;
  createdAt: number;
  updatedAt: number;
  /** When a scheduled item is due. */
  sendAt?: number;
  /** When a paced, deferred or retrying item may be tried again. */
  nextAttemptAt?: number;
  attempts: number;
  /**
   * For failed items: true when Gmail certainly did not send the message
   * (refused before or by Gmail), so the same idempotency key may try again.
   * False means it may have gone out: never resend automatically.
   */
  retryable?: boolean;
  errorCode?: string;
  error?: string;
  sentAt?: number;
  gmailId?: string;
  threadId?: string;
  messageId: string;
  subject: string;
  to: string[];
  recipients: number;
}

export type Pending = 'scheduled' | 'queued' | 'retrying';
export const PENDING: readonly MessageStatus[] = ['scheduled', 'queued', 'retrying'];

export function outcomeOf(item: OutboxItem): SendOutcome {
  if (item.status === 'failed' || item.status === 'cancelled') {
    return { ok: false, code: item.errorCode ?? item.status, message: item.error ?? item.status };
  }
  return {
    ok: true,
    id: item.id,
    status: item.status,
    messageId: item.messageId,
    ...(item.threadId ? { threadId: item.threadId } : {}),
  };
}

/**
 * The local Gmail outbox: one record per idempotency key, so a retried click
 * or a re-delivered sequence step finds the first attempt instead of
 * sending again. Pending items keep their draft until they are sent.
 * Lives in storage.local (the background's; content scripts get no API to it
 * through Sendway's messages).
 */
export class Outbox {
  private readonly lock = new Lock();

  constructor(private readonly area: Pick<typeof browser.storage.local, 'get' | 'set' | 'remove'> = browser.storage.local) {}

  private async read(): Promise<OutboxItem[]> {
    const raw = (await this.area.get(KEY))[KEY];
    return Array.isArray(raw) ? (raw as OutboxItem[]) : [];
  }

  async list(): Promise<OutboxItem[]> {
    return this.read();
  }

  async byKey(idempotencyKey: string): Promise<OutboxItem | undefined> {
    return (await this.read()).find((i) => i.idempotencyKey === idempotencyKey);
  }

  async get(id: string): Promise<OutboxItem | undefined> {
    return (await this.read()).find((i) => i.id === id);
  }

  /**
   * Claims the key: returns the existing record when there is one that must
   * not be sent again, else stores `item` (replacing a retryable failure).
   */
  async claim(item: OutboxItem, now: number): Promise<{ item: OutboxItem; existing: boolean }> {
    return this.lock.run(async () => {
      const items = await this.read();
      const existing = items.find((i) => i.idempotencyKey === item.idempotencyKey);
      if (existing && !(existing.status === 'failed' && existing.retryable)) return { item: existing, existing: true };
      const fresh = existing ? { ...item, id: existing.id, attempts: existing.attempts } : item;
      await this.write([...items.filter((i) => i.idempotencyKey !== item.idempotencyKey), fresh], now);
      return { item: fresh, existing: false };
    });
  }

  async update(id: string, patch: Partial<OutboxItem>, now: number): Promise<OutboxItem | undefined> {
    return this.lock.run(async () => {
      const items = await this.read();
      const index = items.findIndex((i) => i.id === id);
      if (index < 0) return undefined;
      const next = { ...items[index]!, ...patch, updatedAt: now };
      // Keys set to undefined in the patch are removed rather than stored as undefined.
      for (const k of Object.keys(patch) as (keyof OutboxItem)[]) if (patch[k] === undefined) delete next[k];
      items[index] = next;
      await this.write(items, now);
      if (!PENDING.includes(next.status)) await this.area.remove(DRAFT_PREFIX + id);
      return next;
    });
  }

  async saveDraft(id: string, draft: OutgoingDraft): Promise<void> {
    await this.area.set({ [DRAFT_PREFIX + id]: draft });
  }

  async draft(id: string): Promise<OutgoingDraft | undefined> {
    return (await this.area.get(DRAFT_PREFIX + id))[DRAFT_PREFIX + id] as OutgoingDraft | undefined;
  }

  /** Pending items whose time has come, oldest first. */
  async due(now: number): Promise<OutboxItem[]> {
    return (await this.read())
      .filter((i) => PENDING.includes(i.status) && dueAt(i) <= now)
      .sort((a, b) => dueAt(a) - dueAt(b) || a.createdAt - b.createdAt);
  }

  /** The earliest time a pending item becomes due, if any. */
  async nextDue(): Promise<number | undefined> {
    const times = (await this.read()).filter((i) => PENDING.includes(i.status)).map(dueAt);
    return times.length ? Math.min(...times) : undefined;
  }

  async counts(since: number): Promise<{ queued: number; sent: number; failed: number }> {
    const items = await this.read();
    return {
      queued: items.filter((i) => PENDING.includes(i.status) || i.status === 'sending').length,
      sent: items.filter((i) => i.status === 'sent' && (i.sentAt ?? 0) >= since).length,
      failed: items.filter((i) => i.status === 'failed' && i.updatedAt >= since).length,
    };
  }

  private async write(items: OutboxItem[], now: number): Promise<void> {
    const finished = items
      .filter((i) => !PENDING.includes(i.status) && i.status !== 'sending')
      .sort((a, b) => b.updatedAt - a.updatedAt);
    const drop = new Set(
      finished.filter((i, index) => index >= KEEP_FINISHED_MAX || now - i.updatedAt > KEEP_FINISHED_MS).map((i) => i.id),
    );
    await this.area.set({ [KEY]: items.filter((i) => !drop.has(i.id)) });
    if (drop.size) await this.area.remove([...drop].map((id) => DRAFT_PREFIX + id));
  }
}

export function dueAt(item: OutboxItem): number {
  return item.nextAttemptAt ?? item.sendAt ?? item.createdAt;
}
