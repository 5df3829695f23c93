/**
 * Serialises async sections inside the one background context. storage.local
 * has no transactions, so read-modify-write of the outbox and ledger happen
 * under a lock; so does every send, which keeps Gmail's concurrency at one.
 */
export class Lock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.tail.then(section, section);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
