import type { SendMessageRequest } from '../../shared/schemas/relay-api';

interface Entry {
  request: SendMessageRequest;
  bytes: number;
  at: number;
}

/**
 * The content of messages just accepted, kept in memory so the worker does not
 * read back (and parse again) from SQLite the body the API handed it a moment
 * ago. The database copy stays the source of truth: whatever is not here —
 * after a restart, past the size bound, a retry much later — the worker reads
 * from the payload column.
 *
 * Bounded by bytes. When full, new content is not kept (rather than evicting):
 * the queue sends oldest first, so what is already here goes next. Entries
 * older than `maxAgeMs` (mail held back by pacing, or cancelled) make room.
 */
export class AcceptedContent {
  private entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private readonly maxBytes = 32 * 1024 * 1024,
    private readonly maxAgeMs = 5 * 60_000,
  ) {}

  put(id: string, request: SendMessageRequest, bytes: number, now: number): boolean {
    if (this.entries.has(id)) return true;
    if (this.bytes + bytes > this.maxBytes) this.prune(now);
    if (this.bytes + bytes > this.maxBytes) return false;
    this.entries.set(id, { request, bytes, at: now });
    this.bytes += bytes;
    return true;
  }

  get(id: string): SendMessageRequest | undefined {
    return this.entries.get(id)?.request;
  }

  /** The message reached a final state (sent, failed): its content is not needed again. */
  delete(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    this.bytes -= e.bytes;
  }

  get size(): { messages: number; bytes: number } {
    return { messages: this.entries.size, bytes: this.bytes };
  }

  private prune(now: number): void {
    // Insertion order is age order.
    for (const [id, e] of this.entries) {
      if (now - e.at < this.maxAgeMs) break;
      this.delete(id);
    }
  }
}
