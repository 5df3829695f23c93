import { SendwayError } from '../../../shared/messages/define';
import type { LedgerEntry } from '../../../shared/limits';
import {
  Sequence,
  type Contact,
  type EnrolPreview,
  type EnrolResult,
  type EnrolWarning,
  type Enrolment,
  type SequenceDetail,
  type SequenceInput,
  type SequenceSummary,
  type Sighting,
} from '../../../shared/messages/sequences';
import { DAY_MS } from '../../../shared/limits';
import type { ChannelView } from '../../../shared/messages/channels';
import { EngineCore } from './core';
import { dispatchDue, dueSteps } from './dispatch';
import { forEachLimited, handOverContact } from './handoff';
import { stepKey } from './keys';
import { limitSpecOf, planSteps, usageLedger, type PlanContact } from './plan';
import type { EngineDeps } from './ports';
import { matchesFilter, progressOf, summaryOf, upcoming, type ContactFilter } from './progress';
import { cancelOwed, syncRelay } from './relay-sync';
import { sequenceFields } from './render';
import { domainOf, matchReplies, watchList } from './reply-match';
import { isRelayChannel, isWaiting, pauseEnrolment, settle, stopEnrolment } from './state';

/** Office 365 is meant for person-to-person mail: past this many recipients a day, suggest a domain provider. */
export const OFFICE365_DAILY_WARNING = 300;
/** How often handed-over steps and unsubscribes are asked about while sequences run. */
export const SYNC_MS = 10 * 60_000;
/** How long an enrolment request waits for its hand-over before answering (the rest continues). */
const ENROL_BUDGET_MS = 20_000;
const TICK_BUDGET_MS = 25_000;

interface EnrolRequest {
  sequenceId: string;
  contacts: Contact[];
  fields?: Record<string, string>;
}

interface Prepared {
  preview: EnrolPreview;
  sequence: Sequence;
  channel: ChannelView;
  /** Contacts to enrol with their planned times (per step). */
  planned: { contact: Contact; times: number[]; rev: number }[];
}

/**
 * The sequence engine: the background's one owner of sequences and
 * enrolments. Relay-channel steps are all handed to the relay at enrolment
 * (with sendAt), so they go out with the browser closed and are cancelled at
 * the relay when a contact stops; steps of channels that live in the browser
 * (Gmail) are sent by tick(), woken by an alarm and at browser start.
 */
export class SequenceEngine {
  private readonly core: EngineCore;
  /** Read from storage on the first pass: a service worker restarting every minute must not ask the relay every minute. */
  private lastSync: number | null = null;
  private lastSyncUpdated = 0;
  private ticking: Promise<void> | undefined;

  constructor(readonly deps: EngineDeps) {
    this.core = new EngineCore(deps);
  }

  // ---------------------------------------------------------------------------
  // Sequences

  async save(input: SequenceInput): Promise<Sequence> {
    const templates = await this.core.templateMap();
    input.steps.forEach((step, i) => {
      if (!templates.has(step.templateId)) {
        throw new SendwayError('invalid_input', this.deps.say('sequences.engine.templateMissing', [i + 1]), `steps.${i}.templateId`);
      }
    });
    const now = this.core.now();
    return this.core.lock.run(async () => {
      const existing = input.id ? await this.deps.store.getSequence(input.id) : undefined;
      const sequence = Sequence.parse({
        ...input,
        id: input.id ?? crypto.randomUUID(),
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      });
      await this.deps.store.putSequence(sequence);
      return sequence;
    });
  }

  /** Stops everyone (cancelling what the relay holds), then forgets the sequence. */
  async remove(id: string): Promise<boolean> {
    const sequence = await this.deps.store.getSequence(id);
    if (!sequence) return false;
    await this.core.lock.run(async () => {
      for (const e of await this.deps.store.enrolmentsOf(id)) stopEnrolment(e, 'unenrolled', undefined, this.core.now());
      this.core.markDirty(id);
    });
    await this.core.flush();
    if (isRelayChannel(sequence.channelId)) await cancelOwed(this.core, Date.now() + ENROL_BUDGET_MS);
    const owed = (await this.deps.store.enrolmentsOf(id)).some((e) => e.steps.some((s) => s.cancelPending));
    if (owed) {
      // Keep it (every contact stopped) until the relay confirms: deleting now would forget what to cancel.
      throw new SendwayError('relay_unreachable', this.deps.say('sequences.engine.relayUnreachable'));
    }
    return this.core.lock.run(() => this.deps.store.deleteSequence(id));
  }

  async list(): Promise<SequenceSummary[]> {
    const [channels, templates] = await Promise.all([this.core.channels().catch(() => [] as ChannelView[]), this.core.templateMap()]);
    const out: SequenceSummary[] = [];
    for (const { sequence, enrolments } of await this.core.all()) {
      const f = sequenceFields(sequence, templates);
      out.push(summaryOf(sequence, enrolments, channels.find((c) => c.id === sequence.channelId), { custom: f.custom, problems: f.missingTemplates }));
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async detail(id: string, filter: ContactFilter, offset: number, limit: number): Promise<SequenceDetail> {
    const sequence = await this.core.sequence(id);
    const enrolments = await this.deps.store.enrolmentsOf(id);
    const [channels, templates] = await Promise.all([this.core.channels().catch(() => [] as ChannelView[]), this.core.templateMap()]);
    const f = sequenceFields(sequence, templates);
    const matching = enrolments.filter((e) => matchesFilter(e, filter));
    return {
      sequence,
      summary: summaryOf(sequence, enrolments, channels.find((c) => c.id === sequence.channelId), { custom: f.custom, problems: f.missingTemplates }),
      contacts: matching.slice(offset, offset + limit).map(progressOf),
      matching: matching.length,
      upcoming: upcoming(enrolments, 10),
    };
  }

  // ---------------------------------------------------------------------------
  // Enrolment

  preview(req: EnrolRequest): Promise<EnrolPreview> {
    return this.prepare(req).then((p) => p.preview);
  }

  async enrol(req: EnrolRequest): Promise<EnrolResult> {
    const prepared = await this.prepare(req);
    const { preview, sequence, channel } = prepared;
    if (preview.missingFields.length) {
      throw new SendwayError('missing_fields', this.deps.say('sequences.engine.missingFields', [preview.missingFields.join(', ')]), 'fields');
    }
    const now = this.core.now();
    const enrolled: string[] = [];
    await this.core.lock.run(async () => {
      const list = await this.deps.store.enrolmentsOf(sequence.id);
      for (const { contact, times, rev } of prepared.planned) {
        // Enrolled by someone else while we planned: keep theirs.
        const existing = list.findIndex((e) => e.contact.address === contact.address);
        if (existing >= 0 && (list[existing]!.status === 'active' || list[existing]!.status === 'paused')) continue;
        const steps = await Promise.all(
          times.map(async (at, k) => ({ status: 'planned' as const, at, key: await stepKey(sequence.id, contact.address, k, rev) })),
        );
        const enrolment: Enrolment = {
          sequenceId: sequence.id,
          contact,
          status: 'active',
          enrolledAt: now,
          rev,
          ...(channel.account ? { from: channel.account.toLowerCase() } : {}),
          ...(req.fields && Object.keys(req.fields).length ? { fields: req.fields } : {}),
          steps,
        };
        if (existing >= 0) list[existing] = enrolment;
        else list.push(enrolment);
        enrolled.push(contact.address);
      }
      this.core.markDirty(sequence.id);
    });
    // On disk before anything leaves: nothing accepted is lost.
    await this.core.flush();

    let handedOver = 0;
    if (isRelayChannel(sequence.channelId)) {
      handedOver = await this.handOver(sequence, enrolled, Date.now() + ENROL_BUDGET_MS);
    }
    const pending = await this.pendingHandOvers(sequence.id, enrolled);
    // Whatever is left (or due in the browser) is picked up by the next tick.
    void this.tick().catch((error: unknown) => console.error('[sendway] sequence tick failed', error));
    return { ...preview, enrolled: enrolled.length, handedOver, pending };
  }

  private async pendingHandOvers(sequenceId: string, addresses: readonly string[]): Promise<number> {
    const sequence = await this.deps.store.getSequence(sequenceId);
    if (!sequence || !isRelayChannel(sequence.channelId)) return 0;
    const set = new Set(addresses);
    return (await this.deps.store.enrolmentsOf(sequenceId))
      .filter((e) => set.has(e.contact.address) && e.status === 'active')
      .reduce((n, e) => n + e.steps.filter((s) => s.status === 'planned').length, 0);
  }

  /** Unsubscribe links first (one request per sending address), then each contact's steps. */
  private async handOver(sequence: Sequence, addresses: readonly string[], deadline: number): Promise<number> {
    const templates = await this.core.templateMap();
    if (sequence.unsubscribeLink) await this.ensureLinks(sequence, addresses);
    let handed = 0;
    await forEachLimited(addresses, 4, deadline, async (address) => {
      const n = await handOverContact(this.core, { sequence, templates }, address);
      handed += n;
    });
    await this.core.flush();
    return handed;
  }

  private async ensureLinks(sequence: Sequence, addresses: readonly string[]): Promise<void> {
    const list = await this.deps.store.enrolmentsOf(sequence.id);
    const set = new Set(addresses);
    const byFrom = new Map<string, string[]>();
    for (const e of list) {
      if (!set.has(e.contact.address) || e.unsubscribeUrl || !e.from) continue;
      byFrom.set(e.from, [...(byFrom.get(e.from) ?? []), e.contact.address]);
    }
    for (const [from, todo] of byFrom) {
      for (let i = 0; i < todo.length; i += 1000) {
        let links: Map<string, string>;
        try {
          links = await this.deps.relay.unsubscribeLinks(from, todo.slice(i, i + 1000));
        } catch (error) {
          console.warn('[sendway] could not get unsubscribe links', error);
          return;
        }
        await this.core.lock.run(async () => {
          for (const e of list) {
            const url = links.get(e.contact.address);
            if (url && !e.unsubscribeUrl) e.unsubscribeUrl = url;
          }
          this.core.markDirty(sequence.id);
        });
      }
    }
  }

  /** Plans an enrolment without storing anything: who, when, what is skipped and why, warnings. */
  private async prepare(req: EnrolRequest): Promise<Prepared> {
    const say = this.deps.say;
    const sequence = await this.core.sequence(req.sequenceId);
    const templates = await this.core.templateMap();
    const f = sequenceFields(sequence, templates);
    if (f.missingTemplates.length) {
      const step = sequence.steps.findIndex((s) => f.missingTemplates.includes(s.templateId));
      throw new SendwayError('template_missing', say('sequences.engine.templateMissing', [step + 1]), 'sequenceId');
    }
    const channel = await this.core.channel(sequence.channelId, true);
    if (!channel) throw new SendwayError('channel_unavailable', say('sequences.engine.noChannel'), 'channelId');
    const now = this.core.now();
    const warnings: EnrolWarning[] = [];
    if (channel.status !== 'ready') {
      warnings.push({ code: 'channel_unavailable', message: say('sequences.engine.channelUnavailable', [channel.name, channel.statusMessage ?? channel.status]) });
    }

    const skipped: EnrolPreview['skipped'] = [];
    const existing = new Map((await this.deps.store.enrolmentsOf(sequence.id)).map((e) => [e.contact.address, e]));
    const seen = new Set<string>();
    const candidates: Contact[] = [];
    for (const c of req.contacts) {
      if (seen.has(c.address)) {
        skipped.push({ address: c.address, reason: 'duplicate', message: say('sequences.engine.duplicate') });
        continue;
      }
      seen.add(c.address);
      const prior = existing.get(c.address);
      if (prior && (prior.status === 'active' || prior.status === 'paused')) {
        skipped.push({ address: c.address, reason: 'already_enrolled', message: say('sequences.engine.alreadyEnrolled') });
        continue;
      }
      candidates.push(c);
    }

    // Unsubscribed people are never enrolled: the local list, then the relay's (when there is one).
    const suppressed = new Set(await this.deps.store.suppressedSet());
    const relayUp = await this.deps.relay.connected();
    if (relayUp && channel.account && candidates.length) {
      try {
        for (const a of await this.deps.relay.suppressed(channel.account, candidates.map((c) => c.address))) suppressed.add(a);
      } catch {
        warnings.push({ code: 'relay_unreachable', message: say('sequences.engine.relayUnreachable') });
      }
    }
    if (sequence.unsubscribeLink && (!relayUp || !channel.account)) {
      warnings.push({ code: 'no_unsubscribe', message: say('sequences.engine.noUnsubscribe') });
    }
    const contacts = candidates.filter((c) => {
      if (!suppressed.has(c.address)) return true;
      skipped.push({ address: c.address, reason: 'unsubscribed', message: say('sequences.engine.unsubscribed') });
      return false;
    });

    // Missing custom fields: a value for everyone, or each contact's own.
    const missingFields = f.custom.filter((field) => {
      const shared = (req.fields?.[field] ?? '').trim() !== '';
      return !shared && contacts.some((c) => (c.fields?.[field] ?? '').trim() === '');
    });

    const ledger = [...usageLedger(channel, now), ...(await this.reservations(sequence.channelId, now))];
    const planContacts: PlanContact[] = contacts.map((c) => ({
      address: c.address,
      recipients: 1 + (c.cc?.length ?? 0),
      ...(c.timeZone ? { timeZone: c.timeZone } : {}),
      firstStep: 0,
      base: now,
    }));
    const result = planSteps({ sequence, contacts: planContacts, limits: limitSpecOf(channel), ledger, now });
    const planned: Prepared['planned'] = [];
    const previewContacts: EnrolPreview['contacts'] = [];
    for (const c of contacts) {
      const plan = result.plans.get(c.address)!;
      const times = plan.times;
      if (plan.problem || times.length !== sequence.steps.length || times.some((t) => t === undefined)) {
        skipped.push({ address: c.address, reason: 'unplannable', message: say('sequences.engine.unplannable', [plan.problem ?? '']) });
        continue;
      }
      const prior = existing.get(c.address);
      planned.push({ contact: c, times: times as number[], rev: prior ? prior.rev + 1 : 0 });
      previewContacts.push({ address: c.address, firstAt: times[0]!, finishAt: times[times.length - 1]! });
    }
    if (channel.kind === 'office365' && result.peakPerDay > OFFICE365_DAILY_WARNING) {
      warnings.push({ code: 'office365_volume', message: say('sequences.engine.office365Volume', [result.peakPerDay]) });
    }
    const firsts = previewContacts.map((c) => c.firstAt);
    const finishes = previewContacts.map((c) => c.finishAt);
    return {
      sequence,
      channel,
      planned,
      preview: {
        sequenceId: sequence.id,
        channelName: channel.name,
        contacts: previewContacts,
        skipped,
        firstAt: firsts.length ? Math.min(...firsts) : null,
        finishAt: finishes.length ? Math.max(...finishes) : null,
        missingFields,
        peakPerDay: result.peakPerDay,
        warnings,
      },
    };
  }

  /** Everything already planned on a channel by any sequence: the new plan goes around it. */
  private async reservations(channelId: string, now: number): Promise<LedgerEntry[]> {
    const out: LedgerEntry[] = [];
    for (const { sequence, enrolments } of await this.core.all()) {
      if (sequence.channelId !== channelId) continue;
      for (const e of enrolments) {
        if (e.status !== 'active' && e.status !== 'paused') continue;
        const recipients = 1 + (e.contact.cc?.length ?? 0);
        for (const s of e.steps) if (isWaiting(s) && s.at > now - DAY_MS) out.push({ at: s.at, recipients });
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------
  // Pause, resume, stop

  async setPaused(sequenceId: string, addresses: readonly string[] | undefined, paused: boolean): Promise<number> {
    const sequence = await this.core.sequence(sequenceId);
    const relay = isRelayChannel(sequence.channelId);
    const set = addresses ? new Set(addresses) : null;
    let changed = 0;
    const resumed: Enrolment[] = [];
    await this.core.lock.run(async () => {
      for (const e of await this.deps.store.enrolmentsOf(sequenceId)) {
        if (set && !set.has(e.contact.address)) continue;
        if (paused) {
          if (pauseEnrolment(e, relay)) changed++;
        } else if (e.status === 'paused') {
          e.status = 'active';
          // Steps the relay still holds (the cancel never went through) simply stay.
          for (const s of e.steps) delete s.cancelPending;
          resumed.push(e);
          changed++;
        }
      }
      this.core.markDirty(sequenceId);
    });
    if (resumed.length) await this.replanResumed(sequence, resumed);
    await this.core.flush();
    if (paused && relay) await cancelOwed(this.core, Date.now() + ENROL_BUDGET_MS);
    if (!paused && relay) await this.handOver(sequence, resumed.map((e) => e.contact.address), Date.now() + ENROL_BUDGET_MS);
    await this.core.flush();
    void this.tick().catch((error: unknown) => console.error('[sendway] sequence tick failed', error));
    return changed;
  }

  /** Resumed contacts: their unsent steps are planned again from now, with new idempotency keys. */
  private async replanResumed(sequence: Sequence, resumed: Enrolment[]): Promise<void> {
    const channel = await this.core.channel(sequence.channelId, true);
    const now = this.core.now();
    const contacts: PlanContact[] = [];
    for (const e of resumed) {
      const first = e.steps.findIndex((s) => s.status === 'planned');
      if (first < 0) continue;
      const prev = first > 0 ? e.steps[first - 1] : undefined;
      contacts.push({
        address: e.contact.address,
        recipients: 1 + (e.contact.cc?.length ?? 0),
        ...(e.contact.timeZone ? { timeZone: e.contact.timeZone } : {}),
        firstStep: first,
        base: prev?.sentAt ?? prev?.at ?? now,
      });
    }
    if (!contacts.length) return;
    const limits = channel ? limitSpecOf(channel) : { perMinute: null, perDay: null, perDayUnit: 'messages' as const, perMessage: null, concurrency: null };
    const ledger = [...(channel ? usageLedger(channel, now) : []), ...(await this.reservations(sequence.channelId, now))];
    const result = planSteps({ sequence, contacts, limits, ledger, now });
    await this.core.lock.run(async () => {
      for (const e of resumed) {
        const plan = result.plans.get(e.contact.address);
        if (!plan) continue;
        e.rev++;
        for (let k = 0; k < e.steps.length; k++) {
          const s = e.steps[k]!;
          if (s.status !== 'planned') continue;
          const at = plan.times[k];
          if (at !== undefined) s.at = at;
          s.key = await stepKey(sequence.id, e.contact.address, k, e.rev);
          delete s.error;
        }
        settle(e);
      }
      this.core.markDirty(sequence.id);
    });
  }

  async unenrol(sequenceId: string, addresses: readonly string[]): Promise<number> {
    const sequence = await this.core.sequence(sequenceId);
    let stopped = 0;
    const set = new Set(addresses);
    await this.core.lock.run(async () => {
      for (const e of await this.deps.store.enrolmentsOf(sequenceId)) {
        if (set.has(e.contact.address) && stopEnrolment(e, 'unenrolled', undefined, this.core.now())) stopped++;
      }
      this.core.markDirty(sequenceId);
    });
    await this.core.flush();
    if (isRelayChannel(sequence.channelId)) await cancelOwed(this.core, Date.now() + ENROL_BUDGET_MS);
    await this.core.flush();
    return stopped;
  }

  /** Stops one contact (reply, bounce, unsubscribe seen elsewhere) and cancels what the relay holds. */
  async stop(sequenceId: string, address: string, reason: 'replied' | 'unsubscribed' | 'bounced', detail?: string): Promise<boolean> {
    const changed = await this.core.update(sequenceId, address, (e) => stopEnrolment(e, reason, detail, this.core.now()));
    if (reason === 'unsubscribed') await this.deps.store.addSuppressed([address]);
    await this.core.flush();
    if (changed) await cancelOwed(this.core, Date.now() + ENROL_BUDGET_MS);
    await this.core.flush();
    this.scheduleWake();
    return changed ?? false;
  }

  // ---------------------------------------------------------------------------
  // Replies seen in the webmail

  private async selfIdentity(): Promise<{ addresses: Set<string>; domains: Set<string> }> {
    const addresses = new Set<string>();
    for (const c of await this.core.channels().catch(() => [] as ChannelView[])) if (c.account) addresses.add(c.account.toLowerCase());
    for (const { enrolments } of await this.core.all()) for (const e of enrolments) if (e.from) addresses.add(e.from);
    return { addresses, domains: new Set([...addresses].map(domainOf)) };
  }

  async watchList(): Promise<{ addresses: string[]; domains: string[] }> {
    const self = await this.selfIdentity();
    const all = (await this.core.all()).flatMap((x) => x.enrolments);
    return watchList(all, self.domains);
  }

  async replySeen(sightings: readonly Sighting[]): Promise<number> {
    const self = await this.selfIdentity();
    const all = (await this.core.all()).flatMap((x) => x.enrolments);
    let stopped = 0;
    for (const m of matchReplies(all, sightings, self)) {
      if (await this.stop(m.sequenceId, m.address, 'replied', this.deps.say('sequences.engine.repliedBy', [m.by]))) stopped++;
    }
    return stopped;
  }

  // ---------------------------------------------------------------------------
  // The periodic pass

  /**
   * One pass (alarm, browser start, after changes): cancels owed at the relay,
   * relay hand-overs that failed before, due browser-sent steps, and — every
   * SYNC_MS or when asked — what the relay did with handed-over steps and who
   * unsubscribed. Never two at once.
   */
  tick(options: { sync?: boolean } = {}): Promise<void> {
    if (this.ticking) return options.sync ? this.ticking.then(() => this.tick(options)) : this.ticking;
    this.ticking = (async () => {
      const deadline = Date.now() + TICK_BUDGET_MS;
      try {
        await cancelOwed(this.core, deadline);
        for (const sequence of await this.deps.store.listSequences()) {
          if (!isRelayChannel(sequence.channelId)) continue;
          const owed = (await this.deps.store.enrolmentsOf(sequence.id))
            .filter((e) => e.status === 'active' && e.steps.some((s) => s.status === 'planned'))
            .map((e) => e.contact.address);
          if (owed.length) await this.handOver(sequence, owed, deadline);
        }
        await dispatchDue(this.core, deadline);
        this.lastSync ??= await this.deps.store.lastSync();
        if (options.sync || this.core.now() - this.lastSync >= SYNC_MS) {
          this.lastSync = this.core.now();
          await this.deps.store.setLastSync(this.lastSync);
          this.lastSyncUpdated += await syncRelay(this.core, deadline);
        }
      } finally {
        await this.core.flush();
        this.ticking = undefined;
        await this.scheduleWake();
      }
    })();
    return this.ticking;
  }

  /** A pass with a relay sync now (the options page's refresh); answers how many steps or contacts changed. */
  async sync(): Promise<number> {
    this.lastSyncUpdated = 0;
    await this.tick({ sync: true });
    return this.lastSyncUpdated;
  }

  /** When the next pass is needed: a due browser step, owed relay work, or the next sync. */
  async scheduleWake(): Promise<void> {
    const now = this.core.now();
    let at: number | undefined = (await dueSteps(this.core, now)).nextAt;
    const soonest = (t: number) => (at = at === undefined ? t : Math.min(at, t));
    let relayLive = false;
    for (const { sequence, enrolments } of await this.core.all()) {
      if (!isRelayChannel(sequence.channelId)) continue;
      for (const e of enrolments) {
        if (e.steps.some((s) => s.cancelPending)) soonest(now + 60_000);
        if (e.status === 'active' && e.steps.some((s) => s.status === 'planned')) {
          const retry = Math.min(...e.steps.filter((s) => s.status === 'planned').map((s) => this.core.retryAt.get(s.key) ?? now));
          soonest(Math.max(now + 1_000, retry));
        }
        if ((e.status === 'active' || e.status === 'paused') && e.steps.some(isWaiting)) relayLive = true;
      }
    }
    if (relayLive) soonest(Math.max(now + 1_000, (this.lastSync ?? now) + SYNC_MS));
    this.deps.wake(at);
  }
}
