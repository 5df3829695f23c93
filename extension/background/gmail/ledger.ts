import { DAY_MS, nextSlot, usage, type LedgerEntry, type LimitSpec, type Usage } from '../../../shared/limits';
import { Lock } from './lock';

const KEY = 'gmail.ledger';

export interface GmailLedgerEntry extends LedgerEntry {
  /** Outbox id of the send, so a send Gmail refused can be taken back out. */
  id: string;
}

type Stored = Record<string, GmailLedgerEntry[]>;

/**
 * Every send this extension makes through an account, for the rolling
 * windows of shared/limits.ts. A send is written here before the request goes
 * out (a reservation) and removed only if Gmail certainly did not send it,
 * so the gauge never under-counts. Mail the rep sends by hand in Gmail is
 * not seen (gmail.send cannot read the Sent folder); Google counts it too.
 */
export class Ledger {
  private readonly lock = new Lock();

  constructor(private readonly area: Pick<typeof browser.storage.local, 'get' | 'set'> = browser.storage.local) {}

  private async read(): Promise<Stored> {
    const raw = (await this.area.get(KEY))[KEY];
    return raw && typeof raw === 'object' ? (raw as Stored) : {};
  }

  async entries(account: string, now: number): Promise<GmailLedgerEntry[]> {
    return ((await this.read())[account] ?? []).filter((e) => now - e.at < DAY_MS);
  }

  async record(account: string, entry: GmailLedgerEntry): Promise<void> {
    await this.lock.run(async () => {
      const all = await this.read();
      const kept = (all[account] ?? []).filter((e) => entry.at - e.at < DAY_MS && e.id !== entry.id);
      all[account] = [...kept, entry];
      await this.area.set({ [KEY]: all });
    });
  }

  async release(account: string, id: string): Promise<void> {
    await this.lock.run(async () => {
      const all = await this.read();
      if (!all[account]?.some((e) => e.id === id)) return;
      all[account] = all[account]!.filter((e) => e.id !== id);
      await this.area.set({ [KEY]: all });
    });
  }

  async usage(account: string, now: number, spec: LimitSpec): Promise<Usage> {
    return usage(await this.entries(account, now), now, spec);
  }

  async nextSlot(account: string, now: number, spec: LimitSpec, recipients: number): Promise<number> {
    return nextSlot(await this.entries(account, now), now, spec, recipients);
  }
}
