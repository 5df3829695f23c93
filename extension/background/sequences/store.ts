import { z } from 'zod';
import { Enrolment, Sequence } from '../../../shared/messages/sequences';

/** The part of storage.local the store needs (injected in tests). */
export interface StorageArea {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | string[]): Promise<void>;
}

const SEQUENCES_KEY = 'sequences';
const ENROLMENTS_PREFIX = 'sequences.enrolments.';
const SUPPRESSED_KEY = 'sequences.suppressed';
const LAST_SYNC_KEY = 'sequences.lastSync';

/** Parses a stored list item by item: one corrupt entry is dropped, never the whole list. */
function parseEach<T>(schema: z.ZodType<T>, raw: unknown, what: string): T[] {
  if (!Array.isArray(raw)) return [];
  const out: T[] = [];
  for (const item of raw) {
    const r = schema.safeParse(item);
    if (r.success) out.push(r.data);
    else console.warn(`[sendway] dropped an unreadable stored ${what}`, r.error.issues[0]);
  }
  return out;
}

/**
 * Sequences and their enrolments in storage.local, validated with the shared
 * zod schemas on the way in. Enrolments live under one key per sequence, so a
 * change to one sequence never rewrites another's. The background is the only
 * writer, so reads are cached for the life of the service worker.
 */
export class SequenceStore {
  private sequences: Sequence[] | null = null;
  private enrolments = new Map<string, Enrolment[]>();
  private suppressed: Set<string> | null = null;

  constructor(private readonly area: StorageArea) {}

  async listSequences(): Promise<Sequence[]> {
    if (!this.sequences) this.sequences = parseEach(Sequence, (await this.area.get(SEQUENCES_KEY))[SEQUENCES_KEY], 'sequence');
    return this.sequences;
  }

  async getSequence(id: string): Promise<Sequence | undefined> {
    return (await this.listSequences()).find((s) => s.id === id);
  }

  async putSequence(sequence: Sequence): Promise<void> {
    const all = [...(await this.listSequences())];
    const i = all.findIndex((s) => s.id === sequence.id);
    if (i >= 0) all[i] = sequence;
    else all.push(sequence);
    await this.area.set({ [SEQUENCES_KEY]: all });
    this.sequences = all;
  }

  async deleteSequence(id: string): Promise<boolean> {
    const all = await this.listSequences();
    const rest = all.filter((s) => s.id !== id);
    if (rest.length === all.length) return false;
    await this.area.set({ [SEQUENCES_KEY]: rest });
    await this.area.remove(ENROLMENTS_PREFIX + id);
    this.sequences = rest;
    this.enrolments.delete(id);
    return true;
  }

  async enrolmentsOf(sequenceId: string): Promise<Enrolment[]> {
    let list = this.enrolments.get(sequenceId);
    if (!list) {
      const key = ENROLMENTS_PREFIX + sequenceId;
      list = parseEach(Enrolment, (await this.area.get(key))[key], 'enrolment');
      this.enrolments.set(sequenceId, list);
    }
    return list;
  }

  /** Writes a sequence's enrolments (the array the caller changed, or a new one). */
  async saveEnrolments(sequenceId: string, list: Enrolment[]): Promise<void> {
    await this.area.set({ [ENROLMENTS_PREFIX + sequenceId]: list });
    this.enrolments.set(sequenceId, list);
  }

  /** Addresses known to have unsubscribed (learnt from the relay or a stop), kept locally too. */
  async suppressedSet(): Promise<Set<string>> {
    if (!this.suppressed) {
      const raw = (await this.area.get(SUPPRESSED_KEY))[SUPPRESSED_KEY];
      this.suppressed = new Set(Array.isArray(raw) ? raw.filter((a): a is string => typeof a === 'string') : []);
    }
    return this.suppressed;
  }

  async addSuppressed(addresses: Iterable<string>): Promise<void> {
    const set = await this.suppressedSet();
    const before = set.size;
    for (const a of addresses) set.add(a.toLowerCase());
    if (set.size !== before) await this.area.set({ [SUPPRESSED_KEY]: [...set] });
  }

  /** When the relay was last asked about handed-over steps (kept across service-worker restarts). */
  async lastSync(): Promise<number> {
    const raw = (await this.area.get(LAST_SYNC_KEY))[LAST_SYNC_KEY];
    return typeof raw === 'number' && Number.isFinite(raw) ? raw : Number.NEGATIVE_INFINITY;
  }

  async setLastSync(at: number): Promise<void> {
    await this.area.set({ [LAST_SYNC_KEY]: at });
  }

  /** Forget the cache (another context changed storage; tests). */
  reset(): void {
    this.sequences = null;
    this.enrolments.clear();
    this.suppressed = null;
  }
}
