import { SendwayError } from '../../../shared/messages/define';
import type { ChannelView } from '../../../shared/messages/channels';
import type { Enrolment, Sequence } from '../../../shared/messages/sequences';
import type { Template } from '../../../shared/messages/templates';
import { Lock } from '../gmail/lock';
import type { EngineDeps } from './ports';

/** How long a channel list is reused (listing relay channels asks the relay). */
const CHANNEL_CACHE_MS = 30_000;

/**
 * What every part of the engine shares: the lock around enrolment state, the
 * write-back of changed enrolments, and cached look-ups. State changes are
 * made in memory under the lock (fast), network work happens outside it, and
 * changed sequences are written back in one go — a 2,000-contact hand-over
 * does not rewrite storage 6,000 times. A write lost to a crash is safe: the
 * steps it would have recorded are handed over again with the same
 * idempotency keys, and the channel answers with the first attempt.
 */
export class EngineCore {
  readonly lock = new Lock();
  /** Steps whose hand-over failed for a passing reason: not retried before this time (by step key). */
  readonly retryAt = new Map<string, number>();
  /** Enrolments being handed over or dispatched right now (by enrolmentId). */
  readonly inflight = new Set<string>();
  private dirty = new Set<string>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> | undefined;
  private channelCache: { at: number; list: ChannelView[] } | null = null;

  constructor(readonly deps: EngineDeps) {}

  now(): number {
    return this.deps.now();
  }

  async channels(fresh = false): Promise<ChannelView[]> {
    const now = Date.now();
    if (fresh || !this.channelCache || now - this.channelCache.at > CHANNEL_CACHE_MS) {
      this.channelCache = { at: now, list: await this.deps.channels.list() };
    }
    return this.channelCache.list;
  }

  async channel(id: string, fresh = false): Promise<ChannelView | undefined> {
    return (await this.channels(fresh)).find((c) => c.id === id);
  }

  async templateMap(): Promise<Map<string, Template>> {
    return new Map((await this.deps.templates()).map((t) => [t.id, t]));
  }

  async sequence(id: string): Promise<Sequence> {
    const s = await this.deps.store.getSequence(id);
    if (!s) throw new SendwayError('not_found', this.deps.say('sequences.engine.noSequence'), 'sequenceId');
    return s;
  }

  /** Every sequence with its enrolments (the cached arrays: mutate only under the lock, then markDirty). */
  async all(): Promise<{ sequence: Sequence; enrolments: Enrolment[] }[]> {
    const out = [];
    for (const sequence of await this.deps.store.listSequences()) {
      out.push({ sequence, enrolments: await this.deps.store.enrolmentsOf(sequence.id) });
    }
    return out;
  }

  /**
   * Runs `fn` under the lock on one contact's current enrolment (if it still
   * exists), and marks the sequence for write-back.
   */
  async update<T>(sequenceId: string, address: string, fn: (e: Enrolment) => T): Promise<T | undefined> {
    return this.lock.run(async () => {
      const list = await this.deps.store.enrolmentsOf(sequenceId);
      const e = list.find((x) => x.contact.address === address);
      if (!e) return undefined;
      const result = fn(e);
      this.markDirty(sequenceId);
      return result;
    });
  }

  markDirty(sequenceId: string): void {
    this.dirty.add(sequenceId);
    const delay = this.deps.flushDelayMs ?? 500;
    if (delay <= 0) return;
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush().catch((error: unknown) => console.error('[sendway] could not save sequence progress', error));
    }, delay);
  }

  /** Writes every changed sequence's enrolments now. */
  async flush(): Promise<void> {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    // One writer at a time; a second caller waits for the first, then writes what is left.
    while (this.flushing) await this.flushing;
    if (!this.dirty.size) return;
    this.flushing = (async () => {
      const ids = [...this.dirty];
      this.dirty.clear();
      for (const id of ids) {
        const list = await this.deps.store.enrolmentsOf(id);
        // A sequence deleted meanwhile has nothing to write back.
        if (await this.deps.store.getSequence(id)) await this.deps.store.saveEnrolments(id, list);
      }
    })().finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
  }
}
