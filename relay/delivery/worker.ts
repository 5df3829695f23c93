import crypto from 'node:crypto';
import os from 'node:os';
import { sql } from 'kysely';
import { DAY_MS, nextSlot, type LedgerEntry } from '../../shared/limits';
import type { SendMessageRequest } from '../../shared/schemas/relay-api';
import { backoffMs, classifySmtpError, type SmtpErrorLike } from '../../shared/smtp-errors';
import type { Clock } from '../clock';
import type { RelayDb } from '../db';
import type { Logger } from '../log';
import { tokenVerdict } from '../oauth/smtp-auth';
import type { GroupCommit } from '../store/group-commit';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../schema';
import { listChannels, type ChannelRecord } from '../store/channels';
import { dropPayload, getPayload } from '../store/messages';
import { prepared } from '../store/prepared';
import { WAITING_M_SQL, WAITING_SQL } from '../store/waiting';
import { AcceptedContent } from './accepted-content';
import { composeMail } from './compose';
import { TakenBack, type SmtpTransport } from './smtp-thread';
import { EgressError, type TransportPool } from './transports';

// The statements every message runs once it is claimed, built once (store/prepared.ts).
// Only as the candidate was read: still waiting (not cancelled meanwhile) and not claimed since. Without
// RETURNING, which SQLite runs through a temporary table; the caller knows the new attempt count.
const claimRow = prepared<{ id: string; attempts: number; now: number; replica: string; leaseUntil: number }>((db, v) =>
  db
    .updateTable('messages')
    .set({ status: 'sending', attempts: sql`attempts + 1`, updated_at: v.now, claimed_by: v.replica, lease_until: v.leaseUntil })
    .where('id', '=', v.id)
    .where('attempts', '=', v.attempts)
    .where(WAITING_SQL),
);
const markSent = prepared<{ id: string; now: number; lastError: string | null }>((db, v) =>
  db.updateTable('messages').set({ status: 'sent', sent_at: v.now, updated_at: v.now, last_error: v.lastError }).where('id', '=', v.id),
);
const ledgerAt = prepared<{ id: number; at: number }>((db, v) => db.updateTable('ledger').set({ at: v.at }).where('id', '=', v.id).where('at', '<', v.at));

// The look-ups of each pass over the queue, built once too.
type DueValues = { channelId: string; now: number; limit: number };
/** A channel's due messages in send order, the first `limit` (candidates()); locked for a shared queue. */
const dueQuery = (db: Kysely<DB>, v: DueValues) =>
  db
    .selectFrom('messages')
    .select(['id', 'recipients', 'attempts', 'message_id'])
    .where('channel_id', '=', v.channelId)
    .where(WAITING_SQL)
    .where('next_attempt_at', '<=', v.now)
    .orderBy('next_attempt_at')
    .orderBy('created_at')
    .limit(v.limit);
const due = prepared<DueValues, Candidate>((db, v) => dueQuery(db, v));
const dueLocked = prepared<DueValues, Candidate>((db, v) => dueQuery(db, v).forUpdate().skipLocked());
/** When a channel's next waiting message is due, after `now`. */
const nextDue = prepared<{ channelId: string; now: number }, { t: number | null }>((db, v) =>
  db.selectFrom('messages').select(sql<number | null>`min(next_attempt_at)`.as('t')).where('channel_id', '=', v.channelId).where(WAITING_SQL).where('next_attempt_at', '>', v.now),
);
/**
 * Each channel and when its earliest waiting message is due (null: nothing waiting). A GROUP BY over
 * the messages would read every waiting one (about 200 ms at 100,000 queued, and on SQLite that blocks
 * the event loop); this is one messages_queue index seek per channel instead (3 ms for 2,000
 * channels at 100,000 queued), so the look grows with the number of channels, not with the queue.
 * Same text on SQLite and PostgreSQL.
 */
const EARLIEST_PER_CHANNEL = sql<{ channel_id: string; t: number | null }>`
  select c.id as channel_id,
    (select min(m.next_attempt_at) from messages m where m.channel_id = c.id and ${WAITING_M_SQL}) as t
  from channels c where c.deleted_at is null`;

/** How often the worker rereads the whole queue rather than trusting its per-channel hints. */
const FULL_SCAN_MS = 10_000;
/** With a shared queue (PostgreSQL), other relays add mail and free connections too: look this often. */
const SHARED_SCAN_MS = 500;
/** How long a "slow down" (432 4.3.2) keeps a channel at fewer connections. */
const SLOW_DOWN_MS = 5 * 60_000;
/** Longest the worker sleeps without looking at the queue. */
const IDLE_POLL_MS = 2_000;
/**
 * How long a claim holds without being renewed. The sending process renews
 * its claims on every pass (at least every IDLE_POLL_MS); with a shared queue,
 * another relay takes back a message whose claim ran out (its process died)
 * and sends it again with the same Message-ID.
 */
const LEASE_MS = 90_000;
/**
 * A relay that owns its queue (SQLite) claims up to this many messages per connection. Those beyond
 * the free connections wait on the SMTP thread (or, without it, in DeliveryWorker.ready) and start
 * the moment a send is accepted, instead of the connection idling while the worker records the
 * result and claims again (a transaction, and the wait for the latest accepted mail's fsync). A
 * hold or a refused login puts them back in the queue unsent (takeBackWaiting). Relays sharing a
 * queue count claims as connections in use across relays, so they claim one per connection.
 *
 * Such a relay also claims a connection's worth at a time (at least as many as the channel has
 * connections, when that many are due), not one message per finished send: each claim is a commit,
 * and commits were most of the main thread's SQLite work while a backlog drained (measured: 850
 * commits a second at about 850 messages a second, against about 200 with claims in groups and the
 * results sharing their commits, GroupCommit's `linger`). With three per connection, when the next
 * group is claimed every connection still has a message waiting.
 */
const CLAIMS_PER_CONNECTION = 3;

/** How many messages a SQLite relay claims for a channel now: none until a connection's worth is free (CLAIMS_PER_CONNECTION). */
export function claimRoom(connections: number, claimsInFlight: number): number {
  const free = connections * CLAIMS_PER_CONNECTION - claimsInFlight;
  return free >= connections ? free : 0;
}
/** A quota hold never lasts longer than this before one message probes the provider again. */
const MAX_HOLD_MS = 60 * 60_000;

export interface WorkerDeps {
  db: RelayDb;
  /** Claims and results are committed in groups: one fsync per batch, not per message. */
  commits: GroupCommit;
  clock: Clock;
  transports: TransportPool;
  logger: Logger;
  maxAttempts: number;
  random?: () => number;
  backoff?: (attempt: number, random: () => number) => number;
  /**
   * Other relay processes deliver from the same database (PostgreSQL): claims
   * lock the channel row and skip messages others hold (FOR UPDATE SKIP
   * LOCKED), connections and limit windows are counted in the database rather
   * than in this process, and a claim is only taken back when its lease ran
   * out. Without it (SQLite) this process owns the queue.
   */
  shared?: boolean;
  leaseMs?: number;
}

interface LedgerRow extends LedgerEntry {
  id: number;
  messageId: string;
}

interface Claimed {
  id: string;
  channel: ChannelRecord;
  attempts: number;
  ledgerId: number;
  recipients: number;
  messageId: string;
}

type Candidate = { id: string; recipients: number; attempts: number; message_id: string };
type Claim = { msg: Candidate; channel: ChannelRecord };
/** What one channel may send now: the claims, or why not (every connection busy, or paced until a window frees). */
type Picked = { claims: Claim[]; free: number; pacedUntil: number | null; busy: boolean };

const windowed = (channel: ChannelRecord) => channel.limits.perMinute !== null || channel.limits.perDay !== null;

/** Takes due messages in order while each fits every window (shared/limits nextSlot) given the sends already made. */
function pick(channel: ChannelRecord, candidates: Candidate[], sent: LedgerEntry[], now: number, free: number): Picked {
  // A send recorded after `now` was read (another relay's claim, an acceptance meanwhile, a clock a little
  // ahead) happened by now: it counts as of now rather than being left out as "in the future".
  const planned = sent.map((e) => (e.at > now ? { ...e, at: now } : e));
  const claims: Claim[] = [];
  const paced = windowed(channel);
  for (const msg of candidates) {
    const slot = paced ? nextSlot(planned, now, channel.limits, msg.recipients) : now;
    if (slot > now) {
      // Pacing, never dropping: the message (and those behind it) wait for the window to free.
      return { claims, free, pacedUntil: Number.isFinite(slot) ? slot : now + FULL_SCAN_MS, busy: false };
    }
    planned.push({ at: now, recipients: msg.recipients });
    claims.push({ msg, channel });
  }
  return { claims, free, pacedUntil: null, busy: false };
}

/**
 * Sends cut off without an answer (the relay stopped or died mid-send) may have reached the server at
 * any moment until now: their ledger entries count in the windows as of now, so the resend and
 * everything after it keep to the limits the provider counts.
 */
async function sendsCountAsOf(trx: Transaction<DB>, messageIds: string[], now: number): Promise<void> {
  for (let i = 0; i < messageIds.length; i += 500) {
    await trx
      .updateTable('ledger')
      .set({ at: now })
      .where('message_id', 'in', messageIds.slice(i, i + 500))
      .where('at', '<', now)
      .execute();
  }
}

/** A just-accepted message's content, handed over by the API so the worker need not read it back. */
export interface AcceptedMessage {
  id: string;
  request: SendMessageRequest;
  /** Approximate size (the request body's length), for the memory bound. */
  bytes: number;
}

/**
 * Delivers the durable outbox. `tick()` claims what may go now (per channel:
 * free connections, and room in every limit window by shared/limits nextSlot)
 * and starts those sends; `settle()` waits for them. `start()` runs ticks in a
 * loop, woken by new mail, finished sends and the next due time.
 */
export class DeliveryWorker {
  /** Per channel: sends started and not yet accepted or failed (at most the channel's connections). */
  private startedPerChannel = new Map<string, number>();
  /** Per channel: claimed messages waiting for a connection, in send order. */
  private ready = new Map<string, Claimed[]>();
  /** Per channel: claims the SMTP thread gave back unsent (TakenBack), on their way back to `ready`. */
  private returning = new Map<string, Claimed[]>();
  private sends = new Set<Promise<void>>();
  private slow = new Map<string, { concurrency: number; until: number }>();
  private ledger = new Map<string, LedgerRow[]>();
  private running = false;
  private stopped = false;
  private wake: (() => void) | null = null;
  /** Set by notify(); a notification during a pass means "look again" rather than sleep. */
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<number> | null = null;
  private loopDone: Promise<void> | null = null;
  /** Per channel: the earliest time it may have mail due (never later than the truth, except between full scans). */
  private hint = new Map<string, number>();
  private needScan = true;
  private lastScan = 0;
  /** Channels as last read; dropped whenever a channel changes (channelsChanged) so the next pass rereads them. */
  private channels: Map<string, ChannelRecord> | null = null;
  /** Earliest time something not yet due becomes due (pacing slot, retry, schedule, hold). */
  nextWakeAt: number | null = null;
  /** Content of mail accepted by this process, so a send reads no payload back from SQLite. */
  private content = new AcceptedContent();
  /** Names this process's claims (messages.claimed_by). */
  readonly replica = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
  /** This process's claims still being sent, and when each lease runs out. */
  private leases = new Map<string, number>();
  private readonly shared: boolean;
  private readonly leaseMs: number;
  private readonly scanEveryMs: number;
  private readonly idlePollMs: number;

  constructor(private readonly deps: WorkerDeps) {
    this.shared = deps.shared ?? false;
    this.leaseMs = deps.leaseMs ?? LEASE_MS;
    this.scanEveryMs = this.shared ? SHARED_SCAN_MS : FULL_SCAN_MS;
    this.idlePollMs = this.shared ? SHARED_SCAN_MS : IDLE_POLL_MS;
  }

  /**
   * Worker bookkeeping (claims, results) is committed in groups without its own
   * fsync: it survives a process crash (WAL), and after a power loss the worst
   * case is a resend with the same Message-ID, never a lost message.
   */
  private write<T>(fn: (trx: Transaction<DB>) => Promise<T>, opts: { linger?: boolean } = {}): Promise<T> {
    return this.deps.commits.run(fn, { durable: false, linger: opts.linger });
  }

  /**
   * Messages a crash left in "sending" go back to the queue with their Message-ID unchanged.
   * They keep their next_attempt_at (it was due when they were claimed), so they go out
   * first, not behind the whole backlog queued meanwhile.
   */
  async recover(): Promise<number> {
    const now = this.deps.clock.now();
    // Shared: the other relays' claims are alive; only those whose lease ran out are taken back.
    if (this.shared) return this.reclaimExpired(now);
    const n = await this.release(now, 'relay restarted during delivery; retrying with the same Message-ID', { dueNow: false });
    if (n) this.deps.logger.warn('recovered_in_flight', { count: n });
    return n;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.recover();
    this.loopDone = this.loop();
  }

  /** A channel was created, changed or deleted: reread channels on the next pass. */
  channelsChanged(): void {
    this.channels = null;
    this.needScan = true;
    this.notify();
  }

  /**
   * Mail was queued on a channel for `at` (or earlier): the next pass looks at that channel.
   * With `accepted`, the message's content is kept in memory for its send (mail due now only;
   * scheduled mail is read from the database when its time comes).
   */
  queued(channelId: string, at: number, accepted?: AcceptedMessage): void {
    const now = this.deps.clock.now();
    if (accepted && at <= now) this.content.put(accepted.id, accepted.request, accepted.bytes, now);
    this.dueBy(channelId, at);
    this.notify();
  }

  /** A channel has mail due by `at`: its hint moves earlier, never later. */
  private dueBy(channelId: string, at: number): void {
    const known = this.hint.get(channelId);
    if (known === undefined || at < known) this.hint.set(channelId, at);
  }

  /** Drops ledger entries from the in-memory windows (sends that never reached the server). */
  private forgetLedger(channelId: string, ledgerIds: Set<number>): void {
    const rows = this.ledger.get(channelId);
    if (rows) this.ledger.set(channelId, rows.filter((r) => !ledgerIds.has(r.id)));
  }

  /** Something changed (new mail, a send finished): look at the queue now. */
  notify(): void {
    this.dirty = true;
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Stops claiming, lets in-flight sends finish for up to `graceMs`, then releases the rest back to the queue. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopped = true;
    this.notify();
    await this.loopDone;
    // Handed to the SMTP thread but not started: not in flight, so not sent during the grace period.
    await this.deps.transports.takeBackAll();
    await new Promise((r) => setImmediate(r)); // their sends note the TakenBack in microtasks
    // Claimed but not started: they go back to the queue below with the sends cut off.
    const waiting = [...this.ready.values(), ...this.returning.values()].reduce((n, q) => n + q.length, 0);
    this.ready.clear();
    this.returning.clear();
    const all = Promise.allSettled([...this.sends]);
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((r) => (timeout = setTimeout(r, graceMs)))]);
    clearTimeout(timeout);
    if (this.sends.size || waiting) {
      const now = this.deps.clock.now();
      await this.release(now, 'relay stopped during delivery; retrying with the same Message-ID', { dueNow: true, mine: true });
    }
    this.deps.transports.closeAll();
  }

  /** Waits until every send started so far has finished and been recorded. */
  async settle(): Promise<void> {
    while (this.sends.size) await Promise.allSettled([...this.sends]);
  }

  inflightCount(): number {
    return this.sends.size;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.dirty = false;
      try {
        await this.tick();
        this.deps.transports.sweep(Date.now(), 30_000);
      } catch (error) {
        this.deps.logger.error('worker_tick_failed', { error: (error as Error).message });
      }
      if (this.stopped) break;
      if (this.dirty) {
        // Something happened during the pass (a send finished, mail arrived): gather more such events, then look again.
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      const now = this.deps.clock.now();
      const wait = this.nextWakeAt === null ? this.idlePollMs : Math.max(0, Math.min(this.idlePollMs, this.nextWakeAt - now));
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(() => {
          this.wake = null;
          resolve();
        }, wait);
      });
      if (this.timer) clearTimeout(this.timer);
    }
  }

  /**
   * One pass: claim every message that may go now and start sending it. Returns how many sends it
   * started: handed to the SMTP thread, where those beyond the channel's connections wait for one
   * (without the thread, they wait here and start as sends are accepted).
   */
  tick(): Promise<number> {
    // Never two passes at once: the loop and a test may both call it.
    const run = (this.ticking ?? Promise.resolve(0)).then(() => this.claimAndSend());
    this.ticking = run.catch(() => 0);
    return run;
  }

  private concurrency(channel: ChannelRecord, now: number): number {
    const base = channel.limits.concurrency ?? 2;
    const s = this.slow.get(channel.id);
    if (s && s.until > now) return Math.min(base, s.concurrency);
    if (s) this.slow.delete(channel.id);
    return base;
  }

  private async entries(channelId: string, now: number): Promise<LedgerRow[]> {
    let rows = this.ledger.get(channelId);
    if (!rows) {
      const db = await this.deps.db
        .selectFrom('ledger')
        .select(['id', 'at', 'recipients', 'message_id'])
        .where('channel_id', '=', channelId)
        .where('at', '>', now - DAY_MS)
        .execute();
      rows = db.map((r) => ({ id: r.id, at: r.at, recipients: r.recipients, messageId: r.message_id }));
      this.ledger.set(channelId, rows);
    }
    // Old sends leave the 24 h window; keep the list short.
    if (rows.length && rows[0]!.at <= now - DAY_MS) {
      rows = rows.filter((r) => r.at > now - DAY_MS);
      this.ledger.set(channelId, rows);
    }
    return rows;
  }

  private async claimAndSend(): Promise<number> {
    if (this.stopped) return 0;
    const { db, clock } = this.deps;
    const now = clock.now();
    let wakeAt: number | null = null;
    const soonest = (t: number) => (wakeAt = wakeAt === null ? t : Math.min(wakeAt, t));

    // Full look at the queue now and then (and at start); in between, inserts and
    // results keep the per-channel hints up to date.
    if (this.needScan || Date.now() - this.lastScan > this.scanEveryMs) {
      if (this.shared) {
        await this.renewLeases(now);
        await this.reclaimExpired(now);
        // Other relays change channels too (holds, reconnects): reread them with the queue.
        this.channels = null;
      }
      const perChannel = await EARLIEST_PER_CHANNEL.execute(db);
      this.hint = new Map(perChannel.rows.flatMap((r) => (r.t === null ? [] : [[r.channel_id, r.t] as const])));
      this.needScan = false;
      this.lastScan = Date.now();
      // Sends older than the longest window no longer count for anything.
      await this.write((trx) => trx.deleteFrom('ledger').where('at', '<=', now - DAY_MS).execute());
    }

    const claims: Claim[] = [];
    const claimed: Claimed[] = [];
    let channels = this.channels;
    if (!channels || [...this.hint.keys()].some((id) => !channels!.has(id))) {
      channels = this.channels = new Map((await listChannels(db)).map((c) => [c.id, c]));
    }
    for (const [channelId, t] of this.hint) {
      if (t > now) {
        soonest(t);
        continue;
      }
      const channel = channels.get(channelId);
      if (!channel) {
        this.hint.delete(channelId); // deleted: its mail was cancelled
        continue;
      }
      if (channel.status !== 'active') continue; // a reconnect (channelsChanged) brings it back
      if (channel.heldUntil !== null && channel.heldUntil > now) {
        soonest(channel.heldUntil);
        continue;
      }
      let picked: Picked;
      if (this.shared) {
        const shared = await this.claimShared(channel, now);
        claimed.push(...shared.claimed);
        picked = shared;
      } else {
        const free = claimRoom(this.concurrency(channel, now), this.claimsInFlight(channel.id));
        if (!free) continue; // finishing sends wake us
        const candidates = await this.candidates(db, channel.id, now, free);
        // A channel without windows (e.g. SparkPost, SendGrid) needs no ledger look-up: only connections limit it.
        // A claim still being sent may reach the server any moment from now: it counts as of now.
        const planned = windowed(channel) ? (await this.entries(channel.id, now)).map((r) => (this.leases.has(r.messageId) ? { ...r, at: now } : r)) : [];
        picked = pick(channel, candidates, planned, now, free);
        claims.push(...picked.claims);
      }
      if (picked.busy) continue; // every connection in use (shared: counted over all relays); a finishing send or the next look frees one
      if (picked.pacedUntil !== null) {
        this.hint.set(channel.id, picked.pacedUntil);
        soonest(picked.pacedUntil);
      } else if (picked.claims.length < picked.free) {
        // Fewer due than connections free: nothing else is due now; remember when the next one is.
        const next = (await nextDue(db, { channelId: channel.id, now })).rows[0];
        if (next?.t == null) this.hint.delete(channel.id);
        else {
          this.hint.set(channel.id, next.t);
          soonest(next.t);
        }
      }
    }
    this.nextWakeAt = wakeAt;
    // One transaction for the whole batch: status + ledger reservation together.
    if (claims.length) claimed.push(...(await this.write((trx) => this.reserve(trx, claims, now))));
    if (!claimed.length) return 0;

    // Nothing leaves before its acceptance is on disk. A claim can read an insert whose batch is
    // still being fsynced, but its reservation, committed through the same GroupCommit, resolves
    // only after that fsync (GroupCommit.run's ordering). A shared queue's database commits durably.
    for (const c of claimed) {
      // Keep the in-memory ledger only for channels whose windows read it (loaded on first use).
      this.ledger.get(c.channel.id)?.push({ id: c.ledgerId, at: now, recipients: c.recipients, messageId: c.id });
      this.leases.set(c.id, now + this.leaseMs);
      const queue = this.ready.get(c.channel.id);
      if (queue) queue.push(c);
      else this.ready.set(c.channel.id, [c]);
    }
    let started = 0;
    for (const channelId of new Set(claimed.map((c) => c.channel.id))) started += this.pump(channelId);
    return started;
  }

  /** A channel's claims not yet finished: sending, or waiting in `ready` for a connection. */
  private claimsInFlight(channelId: string): number {
    return (this.startedPerChannel.get(channelId) ?? 0) + (this.ready.get(channelId)?.length ?? 0) + (this.returning.get(channelId)?.length ?? 0);
  }

  /**
   * Starts a channel's claimed messages while it has a free connection. Where sends wait on the
   * transport for a connection (the SMTP thread), every claim is handed over at once: the thread
   * starts the next the moment a connection is free, rather than after a turn of this thread's
   * event loop, which while mail is being accepted is several milliseconds long. Measured while
   * accepting, one send at a time per connection: the SMTP thread 30% busy, 420–470 messages a
   * second delivered (against 1,100–1,200 once the accepting stopped); handed over at once, the
   * relay's throughput rose 12–16% (two A/B runs, order swapped).
   */
  private pump(channelId: string): number {
    const queue = this.ready.get(channelId);
    const ahead = this.deps.transports.queuesAhead ? CLAIMS_PER_CONNECTION : 1;
    let n = 0;
    while (queue?.length && (this.startedPerChannel.get(channelId) ?? 0) < this.concurrency(queue[0]!.channel, this.deps.clock.now()) * ahead) {
      this.startSend(queue.shift()!);
      n++;
    }
    if (queue && !queue.length) this.ready.delete(channelId);
    return n;
  }

  private startSend(c: Claimed): void {
    const channelId = c.channel.id;
    this.startedPerChannel.set(channelId, (this.startedPerChannel.get(channelId) ?? 0) + 1);
    let done = false;
    // Frees the message's connection and place: when the server accepted it (the next claimed
    // message starts at once, and the next claim overlaps with recording the result), or once a
    // failure is recorded. A send given back unsent keeps its claim and starts nothing: it waits in
    // `returning` for the failure that held the transport to be handled (takeBackWaiting).
    const finish = (next = true) => {
      if (done) return;
      done = true;
      this.startedPerChannel.set(channelId, (this.startedPerChannel.get(channelId) ?? 1) - 1);
      if (next && !this.stopped) this.pump(channelId);
      this.notify();
    };
    const p = this.send(c, finish).then((outcome) => {
      this.sends.delete(p);
      if (outcome === 'taken_back') return finish(false);
      this.leases.delete(c.id);
      finish();
    });
    this.sends.add(p);
  }

  /**
   * Takes a channel's claimed-but-unsent messages out of memory (synchronously, so no finishing
   * send starts one meanwhile). `requeue` then puts them back in the queue in the same transaction
   * as the verdict that stopped the channel: not attempted, so no attempt used and no place in
   * the limit windows.
   */
  private takeReady(channelId: string): Claimed[] {
    const taken = this.ready.get(channelId) ?? [];
    this.ready.delete(channelId);
    if (!taken.length) return taken;
    this.forgetLedger(channelId, new Set(taken.map((c) => c.ledgerId)));
    for (const c of taken) this.leases.delete(c.id);
    return taken;
  }

  private async requeue(trx: Transaction<DB>, taken: Claimed[], nextAttemptAt: number, now: number): Promise<void> {
    if (!taken.length) return;
    await trx.deleteFrom('ledger').where('id', 'in', taken.map((c) => c.ledgerId)).execute();
    for (const c of taken) {
      await trx
        .updateTable('messages')
        .set({ status: c.attempts > 1 ? 'retrying' : 'queued', attempts: c.attempts - 1, next_attempt_at: nextAttemptAt, claimed_by: null, lease_until: null, updated_at: now })
        .where('id', '=', c.id)
        .where('status', '=', 'sending')
        .execute();
    }
    this.dueBy(taken[0]!.channel.id, nextAttemptAt);
  }

  /** Due messages of a channel in send order. With a shared queue, locked: another relay's claim skips them. */
  private async candidates(db: RelayDb | Transaction<DB>, channelId: string, now: number, limit: number): Promise<Candidate[]> {
    return (await (this.shared ? dueLocked : due)(db, { channelId, now, limit })).rows;
  }

  /**
   * A shared queue's claim for one channel, in one transaction. The channel's
   * row lock makes the relays take turns per channel, so what they read of its
   * connections in use and its windows (the ledger, in the database) cannot
   * change under them before their reservation commits: together they never
   * exceed a limit. A message another relay is still sending counts in the
   * windows as sent now: its server may accept it any moment.
   */
  private async claimShared(channel: ChannelRecord, passStarted: number): Promise<Picked & { claimed: Claimed[] }> {
    return this.deps.db.transaction().execute(async (trx) => {
      let now = passStarted;
      // The channel row locked, with its connections in use (over all relays) in the same round trip.
      const row = await trx
        .selectFrom('channels')
        .select((eb) => [
          'status',
          'held_until',
          'deleted_at',
          eb
            .selectFrom('messages')
            .select(sql<number>`count(*)`.as('n'))
            .whereRef('messages.channel_id', '=', 'channels.id')
            .where('messages.status', '=', 'sending')
            .as('busy'),
        ])
        .where('id', '=', channel.id)
        .forUpdate()
        .executeTakeFirst();
      // Time as of holding the lock: the relay before us may have claimed while we waited for it.
      now = Math.max(now, this.deps.clock.now());
      // Another relay may have held or disabled the channel since we last read it.
      if (!row || row.deleted_at !== null || row.status !== 'active' || (row.held_until !== null && row.held_until > now)) {
        this.channels = null;
        return { claims: [], claimed: [], free: 0, pacedUntil: row?.held_until ?? null, busy: row?.held_until == null };
      }
      const free = this.concurrency(channel, now) - Number(row.busy ?? 0);
      if (free <= 0) return { claims: [], claimed: [], free: 0, pacedUntil: null, busy: true };
      const candidates = await this.candidates(trx, channel.id, now, free);
      let planned: LedgerEntry[] = [];
      if (windowed(channel)) {
        const rows = await trx
          .selectFrom('ledger')
          .innerJoin('messages', 'messages.id', 'ledger.message_id')
          .select(['ledger.at', 'ledger.recipients', 'messages.status'])
          .where('ledger.channel_id', '=', channel.id)
          .where('ledger.at', '>', now - DAY_MS)
          .execute();
        planned = rows.map((r) => ({ at: r.status === 'sending' ? now : r.at, recipients: r.recipients }));
      }
      const picked = pick(channel, candidates, planned, now, free);
      const claimed = picked.claims.length ? await this.reserve(trx, picked.claims, now) : [];
      return { ...picked, claimed };
    });
  }

  /** Marks the picked messages as being sent by this process and reserves their place in the ledger. */
  private async reserve(trx: Transaction<DB>, claims: Claim[], now: number): Promise<Claimed[]> {
    // One statement per message, each a primary-key look-up. SQLite's planner (no statistics) reads
    // a list of ten or more ids beside `status in (…)` through the status index instead: every
    // waiting message, 74 ms a claim at 100,000 queued.
    const taken: { id: string; attempts: number }[] = [];
    for (const { msg } of claims) {
      const claimed = await claimRow(trx, { id: msg.id, attempts: msg.attempts, now, replica: this.replica, leaseUntil: now + this.leaseMs });
      if (Number(claimed.numAffectedRows) === 1) taken.push({ id: msg.id, attempts: msg.attempts + 1 });
    }
    if (!taken.length) return [];
    const attempts = new Map(taken.map((t) => [t.id, t.attempts]));
    const mine = claims.filter((c) => attempts.has(c.msg.id));
    const ledger = await trx
      .insertInto('ledger')
      .values(mine.map(({ msg, channel }) => ({ channel_id: channel.id, message_id: msg.id, at: now, recipients: msg.recipients })))
      .returning(['id', 'message_id'])
      .execute();
    const ledgerIds = new Map(ledger.map((l) => [l.message_id, l.id]));
    return mine.map(({ msg, channel }) => ({
      id: msg.id,
      channel,
      attempts: attempts.get(msg.id)!,
      ledgerId: ledgerIds.get(msg.id)!,
      recipients: msg.recipients,
      messageId: msg.message_id,
    }));
  }

  /**
   * Puts claims back in the queue ("sending" → "retrying", same Message-ID): every claim (`recover`, a
   * SQLite relay's own queue), only this process's (`mine`), or only those whose lease ran out
   * (`expired`). Their sends may have reached the server up to now, so in the limit windows they
   * count as of now (sendsCountAsOf). Returns how many went back.
   */
  private release(now: number, lastError: string, o: { dueNow: boolean; mine?: boolean; expired?: boolean }): Promise<number> {
    return this.deps.db.transaction().execute(async (trx) => {
      const taken = await trx
        .updateTable('messages')
        .set({ status: 'retrying', updated_at: now, last_error: lastError, claimed_by: null, ...(o.dueNow ? { next_attempt_at: now } : {}) })
        .where('status', '=', 'sending')
        .$if(o.mine === true, (q) => q.where('claimed_by', '=', this.replica))
        .$if(o.expired === true, (q) => q.where((eb) => eb.or([eb('lease_until', '<', now), eb('lease_until', 'is', null)])))
        .returning('id')
        .execute();
      if (taken.length) await sendsCountAsOf(trx, taken.map((t) => t.id), now);
      return taken.length;
    });
  }

  /** Extends this process's claims still being sent, well before they run out. */
  private async renewLeases(now: number): Promise<void> {
    const ids = [...this.leases].filter(([, until]) => until - now < this.leaseMs / 2).map(([id]) => id);
    if (!ids.length) return;
    const until = now + this.leaseMs;
    await this.deps.db
      .updateTable('messages')
      .set({ lease_until: until })
      .where('id', 'in', ids)
      .where('status', '=', 'sending')
      .where('claimed_by', '=', this.replica)
      .execute();
    for (const id of ids) if (this.leases.has(id)) this.leases.set(id, until);
  }

  /**
   * Claims whose lease ran out belong to a relay that died mid-send: back to the queue, same Message-ID,
   * due at once. (A claim without a lease predates leases: its process is long gone.)
   */
  private async reclaimExpired(now: number): Promise<number> {
    const n = await this.release(now, 'the relay sending it stopped during delivery; retrying with the same Message-ID', { dueNow: true, expired: true });
    if (n) {
      this.deps.logger.warn('recovered_in_flight', { count: n });
      this.needScan = true;
    }
    return n;
  }

  private async send(c: Claimed, accepted: () => void): Promise<'taken_back' | void> {
    const { db, clock, logger } = this.deps;
    let release: (() => void) | undefined;
    let transport: SmtpTransport | undefined;
    try {
      // Validated (and normalised) by the same schema when it was accepted; not re-validated per attempt.
      const req = this.content.get(c.id) ?? (await this.loadContent(c.id));
      const acquired = await this.deps.transports.acquire(c.channel, this.concurrency(c.channel, clock.now()), clock.now());
      release = acquired.release;
      transport = acquired.transport;
      const info = await acquired.transport.sendMail(composeMail(req, c.messageId));
      release();
      const rejected = ((info.rejected ?? []) as (string | { address: string })[]).map((r) => (typeof r === "string" ? r : r.address));
      const now = clock.now();
      // The provider counts the send when it accepts it: the windows see it at that time from now on.
      const entry = this.ledger.get(c.channel.id)?.find((r) => r.id === c.ledgerId);
      if (entry && entry.at < now) entry.at = now;
      this.content.delete(c.id);
      accepted();
      // Nothing waits for this record (the connection is free already): it may wait a moment to share a commit.
      await this.write(
        async (trx) => {
          await markSent(trx, { id: c.id, now, lastError: rejected.length ? `server refused some recipients: ${rejected.join(', ')}` : null });
          await dropPayload(trx, c.id);
          // The provider counts the send when it accepts it: move the ledger entry to then.
          await ledgerAt(trx, { id: c.ledgerId, at: now });
        },
        { linger: true },
      );
      logger.info('message_sent', { id: c.id, channelId: c.channel.id, attempts: c.attempts });
    } catch (error) {
      release?.();
      if (error instanceof TakenBack) {
        const back = this.returning.get(c.channel.id);
        if (back) back.push(c);
        else this.returning.set(c.channel.id, [c]);
        return 'taken_back';
      }
      await this.takeBackWaiting(c.channel.id, transport).catch((e) => logger.error('take_back_failed', { channelId: c.channel.id, error: (e as Error).message }));
      await this.failed(c, error).catch((e) => logger.error('record_failure_failed', { messageId: c.id, channelId: c.channel.id, error: (e as Error).message }));
    }
  }

  /**
   * After a failed send the SMTP thread starts nothing more on that transport until what waits
   * there is taken back: the failure's verdict decides their fate (a hold or a refused login puts
   * them back in the queue unsent, takeReady; otherwise they go out again, pump). They come back
   * in `ready` ahead of the rest, in their order.
   */
  private async takeBackWaiting(channelId: string, transport: SmtpTransport | undefined): Promise<void> {
    if (!transport?.takeBack) return;
    await transport.takeBack();
    // The sends given back noted it (into `returning`) in microtasks that are all done by then.
    await new Promise((r) => setImmediate(r));
    const back = this.returning.get(channelId);
    if (!back?.length) return;
    this.returning.delete(channelId);
    this.ready.set(channelId, [...back, ...(this.ready.get(channelId) ?? [])]);
  }

  /** The accepted request from the database: after a restart, or when it was not kept in memory. */
  private async loadContent(id: string): Promise<SendMessageRequest> {
    const request = await getPayload(this.deps.db, id);
    if (!request) throw new Error(`the content of message ${id} is gone`);
    return request;
  }

  private async failed(c: Claimed, error: unknown): Promise<void> {
    const { clock, logger, maxAttempts } = this.deps;
    const now = clock.now();
    const random = this.deps.random ?? Math.random;
    const backoff = this.deps.backoff ?? ((a: number, r: () => number) => backoffMs(a, r));
    const setMessage = async (trx: Transaction<DB>, set: Partial<{ status: string; attempts: number; next_attempt_at: number; last_error: string | null; updated_at: number }>) => {
      await trx.updateTable('messages').set(set).where('id', '=', c.id).where('status', '=', 'sending').execute();
      if (set.status === 'failed') this.content.delete(c.id);
      if (set.next_attempt_at !== undefined) this.dueBy(c.channel.id, set.next_attempt_at);
    };
    const dropLedger = (trx: Transaction<DB>) => {
      this.forgetLedger(c.channel.id, new Set([c.ledgerId]));
      return trx.deleteFrom('ledger').where('id', '=', c.ledgerId).execute();
    };
    // No reply (connection lost, timeout): the server may have taken the message at any moment until now,
    // so the send counts in the windows as of now — never earlier than the provider may have counted it.
    const ledgerAsOfNow = async (trx: Transaction<DB>) => {
      const entry = this.ledger.get(c.channel.id)?.find((r) => r.id === c.ledgerId);
      if (entry && entry.at < now) entry.at = now;
      await trx.updateTable('ledger').set({ at: now }).where('id', '=', c.ledgerId).where('at', '<', now).execute();
    };
    const settleLedger = (trx: Transaction<DB>) => (rejected ? dropLedger(trx) : ledgerAsOfNow(trx));

    if (error instanceof EgressError) {
      await this.write(async (trx) => {
        await dropLedger(trx);
        await setMessage(trx, { status: 'failed', last_error: error.message, updated_at: now });
      });
      logger.warn('message_failed', { id: c.id, channelId: c.channel.id, reason: error.code });
      return;
    }
    const e = (error ?? {}) as SmtpErrorLike;
    // An OAuth channel whose token could not be renewed: revoked → needs reconnect (mail waits), outage → retry.
    const tokenFailure = tokenVerdict(error);
    const verdict = tokenFailure ?? classifySmtpError(e);
    // A reply from the server means it did not take the message: it does not count against the limits.
    const rejected = e.responseCode !== undefined || tokenFailure !== null;

    switch (verdict.action) {
      case 'fail':
        await this.write(async (trx) => {
          await settleLedger(trx);
          await setMessage(trx, { status: 'failed', last_error: verdict.text, updated_at: now });
        });
        logger.warn('message_failed', { id: c.id, channelId: c.channel.id, responseCode: e.responseCode });
        return;
      case 'hold': {
        const waiting = this.takeReady(c.channel.id);
        await this.write(async (trx) => {
          await settleLedger(trx);
          const until = await this.holdUntil(trx, c.channel.id, now);
          await this.requeue(trx, waiting, until, now);
          // updated_at stays: the transport (keyed on it) is still good.
          await trx.updateTable('channels').set({ held_until: until, held_reason: verdict.text }).where('id', '=', c.channel.id).execute();
          this.channels = null;
          // Not the message's fault: it goes back to the queue without using up an attempt.
          await setMessage(trx, { status: 'queued', attempts: c.attempts - 1, next_attempt_at: until, last_error: verdict.text, updated_at: now });
          logger.warn('channel_held', { channelId: c.channel.id, until: new Date(until).toISOString() });
        });
        return;
      }
      case 'auth': {
        const waiting = this.takeReady(c.channel.id);
        await this.write(async (trx) => {
          await settleLedger(trx);
          await this.requeue(trx, waiting, now, now);
          await trx.updateTable('channels').set({ status: 'needs_reconnect', updated_at: now }).where('id', '=', c.channel.id).execute();
          this.channels = null;
          await setMessage(trx, { status: 'queued', attempts: c.attempts - 1, next_attempt_at: now, last_error: verdict.text, updated_at: now });
        });
        this.deps.transports.invalidate(c.channel.id);
        logger.warn('channel_needs_reconnect', { channelId: c.channel.id, code: verdict.code });
        return;
      }
      case 'slow_down': {
        const current = this.concurrency(c.channel, now);
        this.slow.set(c.channel.id, { concurrency: Math.max(1, current - 1), until: now + SLOW_DOWN_MS });
        this.deps.transports.invalidate(c.channel.id);
        logger.warn('channel_slow_down', { channelId: c.channel.id, concurrency: Math.max(1, current - 1) });
        break;
      }
      case 'retry':
        break;
    }
    const giveUp = c.attempts >= maxAttempts;
    await this.write(async (trx) => {
      await settleLedger(trx);
      if (giveUp) await setMessage(trx, { status: 'failed', last_error: `gave up after ${c.attempts} attempts: ${verdict.text}`, updated_at: now });
      else await setMessage(trx, { status: 'retrying', next_attempt_at: now + backoff(c.attempts, random), last_error: verdict.text, updated_at: now });
    });
    if (giveUp) logger.warn('message_failed', { id: c.id, channelId: c.channel.id, attempts: c.attempts });
    else logger.info('message_retrying', { id: c.id, channelId: c.channel.id, attempts: c.attempts, responseCode: e.responseCode });
  }

  /** Until the oldest send in our 24 h window ages out, but probe at least hourly: the provider also counts mail sent outside the relay. */
  private async holdUntil(trx: Transaction<DB>, channelId: string, now: number): Promise<number> {
    let oldest = Number.POSITIVE_INFINITY;
    if (this.shared) {
      // Other relays' sends count too: read the window from the database.
      const r = await trx.selectFrom('ledger').select(sql<number | null>`min(at)`.as('t')).where('channel_id', '=', channelId).where('at', '>', now - DAY_MS).executeTakeFirst();
      if (r?.t != null) oldest = r.t;
    } else {
      for (const r of this.ledger.get(channelId) ?? []) oldest = Math.min(oldest, r.at);
    }
    const frees = Number.isFinite(oldest) ? oldest + DAY_MS : now + MAX_HOLD_MS;
    return Math.max(now + 60_000, Math.min(frees, now + MAX_HOLD_MS));
  }
}
