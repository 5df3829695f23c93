/**
 * Fakes for the sequence engine's unit tests: storage in memory, a clock the
 * test moves, a relay that keeps messages by idempotency key (like the real
 * one: the same key answers with the first message), and a Gmail channel
 * whose outbox dedupes by key. No browser, no network.
 */
import type { ChannelView, OutgoingDraft, SendOutcome } from '../../../shared/messages/channels';
import type { SequenceInput } from '../../../shared/messages/sequences';
import type { Template } from '../../../shared/messages/templates';
import type { MessageStatus } from '../../../shared/schemas/relay-api';
import { SequenceEngine } from './engine';
import type { CancelResult, ChannelPort, EngineDeps, GmailThreadPort, RelayMessageState, RelayPort, Say } from './ports';
import { SequenceStore, type StorageArea } from './store';

export class MemoryArea implements StorageArea {
  data = new Map<string, unknown>();
  writes = 0;
  async get(key: string): Promise<Record<string, unknown>> {
    return this.data.has(key) ? { [key]: structuredClone(this.data.get(key)) } : {};
  }
  async set(items: Record<string, unknown>): Promise<void> {
    this.writes++;
    for (const [k, v] of Object.entries(items)) this.data.set(k, structuredClone(v));
  }
  async remove(keys: string | string[]): Promise<void> {
    for (const k of typeof keys === 'string' ? [keys] : keys) this.data.delete(k);
  }
}

export class Clock {
  constructor(public t: number) {}
  now = () => this.t;
  advance(ms: number) {
    this.t += ms;
  }
}

export const say: Say = (key, subs) => (subs?.length ? `${key}:${subs.join('|')}` : key);

export const TEMPLATES: Template[] = [
  { id: 't1', name: 'Intro', subject: 'Quick question, {{ first_name | default: "there" }}', body: 'Hi {{ first_name | default: "there" }},\n\nA line about {{ company | default: "your team" }}.', updatedAt: '2030-01-01T00:00:00.000Z' },
  { id: 't2', name: 'Bump', subject: 'Following up', body: 'Just bumping this, {{ first_name | default: "there" }}.', updatedAt: '2030-01-01T00:00:00.000Z' },
  { id: 't3', name: 'Custom', subject: 'About {{ project }}', body: 'Re {{ project }}.', updatedAt: '2030-01-01T00:00:00.000Z' },
];

export function channelView(id: string, kind: ChannelView['kind'], limits: { perMinute?: number | null; perDay?: number | null; unit?: 'messages' | 'recipients' } = {}): ChannelView {
  return {
    id,
    kind,
    name: kind === 'gmail' ? 'Gmail' : `${kind} channel`,
    scope: 'personal',
    account: 'rep@example.com',
    status: 'ready',
    limits: {
      perMinute: { limit: limits.perMinute ?? null, used: 0 },
      perDay: { limit: limits.perDay ?? null, used: 0, unit: limits.unit ?? 'messages' },
      perMessage: null,
      nextSlotAt: new Date(0).toISOString(),
      queued: 0,
      sent: 0,
      failed: 0,
    },
  };
}

export interface FakeMessage {
  id: string;
  key: string;
  draft: OutgoingDraft;
  sendAt?: number;
  status: MessageStatus;
  messageId: string;
  threadId?: string;
  sentAt?: number;
  lastError?: string;
}

/** One fake relay (channel 'relay:…') plus the Gmail channel ('gmail'), sharing nothing. */
export class FakeChannels implements ChannelPort, RelayPort {
  channels: ChannelView[] = [channelView('relay:ch1', 'smtp'), channelView('gmail', 'gmail')];
  relayMessages: FakeMessage[] = [];
  gmailSent: FakeMessage[] = [];
  /** POSTs the relay received (replays included). */
  relayPosts = 0;
  cancels: string[] = [];
  suppressedSet = new Set<string>();
  /** When true every relay call throws like an unreachable relay. */
  relayDown = false;
  /** The next N relay sends are accepted but the answer is lost (the request throws). */
  loseAnswers = 0;
  /** Codes the Gmail channel answers with before succeeding (one per call). */
  gmailFaults: { code: string; message: string }[] = [];
  private n = 0;

  constructor(private readonly clock: Clock) {}

  async list() {
    return this.channels;
  }

  async send(channelId: string, items: { idempotencyKey: string; draft: OutgoingDraft }[], sendAt?: string): Promise<SendOutcome[]> {
    return items.map(({ idempotencyKey: key, draft }) => {
      if (channelId === 'gmail') {
        const existing = this.gmailSent.find((m) => m.key === key);
        if (existing) return { ok: true, id: existing.id, status: existing.status, messageId: existing.messageId, ...(existing.threadId ? { threadId: existing.threadId } : {}) };
        const fault = this.gmailFaults.shift();
        if (fault) return { ok: false, ...fault };
        const m: FakeMessage = { id: `g${++this.n}`, key, draft, status: 'sent', messageId: `<g${this.n}@example.com>`, threadId: draft.threadId ?? `thr${this.n}`, sentAt: this.clock.now() };
        this.gmailSent.push(m);
        return { ok: true, id: m.id, status: 'sent', messageId: m.messageId, threadId: m.threadId };
      }
      if (this.relayDown) throw Object.assign(new Error('relay down'), { name: 'SendwayError', code: 'relay_unreachable' });
      this.relayPosts++;
      const to = typeof draft.to[0] === 'string' ? draft.to[0] : draft.to[0]!.address;
      if (this.suppressedSet.has(to)) return { ok: false, code: 'suppressed', message: `${to} unsubscribed` };
      let m = this.relayMessages.find((x) => x.key === key);
      if (!m) {
        const at = sendAt ? Date.parse(sendAt) : undefined;
        m = { id: `msg_${++this.n}`, key, draft, ...(at !== undefined ? { sendAt: at } : {}), status: at !== undefined && at > this.clock.now() ? 'scheduled' : 'queued', messageId: `<r${this.n}@example.com>` };
        this.relayMessages.push(m);
      }
      if (this.loseAnswers > 0) {
        this.loseAnswers--;
        throw new Error('connection reset');
      }
      return { ok: true, id: m.id, status: m.status, messageId: m.messageId };
    });
  }

  /** The relay's worker: everything due goes out. */
  deliverDue() {
    for (const m of this.relayMessages) {
      if ((m.status === 'scheduled' || m.status === 'queued') && (m.sendAt ?? 0) <= this.clock.now()) {
        m.status = 'sent';
        m.sentAt = this.clock.now();
      }
    }
  }

  async connected() {
    return true;
  }
  async cancel(id: string): Promise<CancelResult> {
    if (this.relayDown) throw new Error('relay down');
    this.cancels.push(id);
    const m = this.relayMessages.find((x) => x.id === id);
    if (!m) return 'not_found';
    if (m.status === 'scheduled' || m.status === 'queued') {
      m.status = 'cancelled';
      return 'cancelled';
    }
    return m.status === 'cancelled' ? 'cancelled' : 'too_late';
  }
  statusCalls = 0;
  async status(id: string): Promise<RelayMessageState | null> {
    if (this.relayDown) throw new Error('relay down');
    this.statusCalls++;
    const m = this.relayMessages.find((x) => x.id === id);
    return m ? { status: m.status, ...(m.sentAt ? { sentAt: m.sentAt } : {}), ...(m.lastError ? { lastError: m.lastError } : {}) } : null;
  }
  async unsubscribeLinks(from: string, addresses: string[]) {
    if (this.relayDown) throw new Error('relay down');
    return new Map(addresses.map((a) => [a, `https://relay.test/unsubscribe/v1.${Buffer.from(`${a}|${from.split('@')[1]}`).toString('base64url')}.sig`]));
  }
  async suppressed(_from: string, addresses: string[]) {
    if (this.relayDown) throw new Error('relay down');
    return new Set(addresses.filter((a) => this.suppressedSet.has(a)));
  }
  /** Messages to one address, in key order. */
  to(address: string, where: 'relay' | 'gmail' = 'relay') {
    const list = where === 'relay' ? this.relayMessages : this.gmailSent;
    return list.filter((m) => (typeof m.draft.to[0] === 'string' ? m.draft.to[0] : m.draft.to[0]!.address) === address);
  }
}

export class FakeThreads implements GmailThreadPort {
  on = false;
  replies = new Map<string, string>();
  asked: string[] = [];
  async enabled() {
    return this.on;
  }
  async replyAfter(threadId: string) {
    this.asked.push(threadId);
    return this.replies.get(threadId) ?? null;
  }
}

export interface Kit {
  engine: SequenceEngine;
  area: MemoryArea;
  clock: Clock;
  channels: FakeChannels;
  threads: FakeThreads;
  wakes: (number | undefined)[];
  /** A fresh engine over the same storage, channels and clock: a service worker restart. */
  restart(): SequenceEngine;
}

export function makeKit(start = Date.parse('2030-01-07T08:00:00Z'), templates: Template[] = TEMPLATES): Kit {
  const area = new MemoryArea();
  const clock = new Clock(start);
  const channels = new FakeChannels(clock);
  const threads = new FakeThreads();
  const wakes: (number | undefined)[] = [];
  const build = () => {
    const deps: EngineDeps = {
      store: new SequenceStore(area),
      now: clock.now,
      templates: async () => templates,
      channels,
      relay: channels,
      gmailThread: threads,
      wake: (at) => wakes.push(at),
      say,
      flushDelayMs: 0,
    };
    return new SequenceEngine(deps);
  };
  const kit: Kit = {
    engine: build(),
    area,
    clock,
    channels,
    threads,
    wakes,
    restart() {
      kit.engine = build();
      return kit.engine;
    },
  };
  return kit;
}

/** A two-step sequence: intro, then a bump two days later in the same thread; every day 09:00–17:00 Amsterdam. */
export function twoSteps(channelId: string, extra: Partial<SequenceInput> = {}): SequenceInput {
  return {
    id: 'seq1',
    name: 'Outbound Q3',
    channelId,
    steps: [
      { templateId: 't1', delayDays: 0, businessDays: false, sameThread: false },
      { templateId: 't2', delayDays: 2, businessDays: false, sameThread: true },
    ],
    window: { timeZone: 'Europe/Amsterdam', start: '09:00', end: '17:00', businessDaysOnly: false, holidays: [], contactTimeZone: true },
    unsubscribeLink: true,
    ...extra,
  };
}
