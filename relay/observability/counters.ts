import type { Logger } from '../log';

/** Worker events counted per replica; the names are what relay/delivery/worker.ts logs. */
const COUNTED = {
  message_sent: 'sent',
  message_failed: 'failed',
  message_retrying: 'retried',
  channel_held: 'held',
} as const;
type Outcome = (typeof COUNTED)[keyof typeof COUNTED];

export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx';

/**
 * What this process did since it started (Prometheus counters: they only go up
 * and reset on restart). The database-wide truth — how much is queued, window
 * usage — is read from the database at scrape time instead, so every replica
 * reports the same numbers there.
 */
export class ProcessCounters {
  readonly startedAt = Date.now();
  readonly messages: Record<Outcome, number> = { sent: 0, failed: 0, retried: 0, held: 0 };
  readonly http: Record<StatusClass, number> = { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };

  request(status: number): void {
    const cls = `${Math.min(5, Math.max(1, Math.floor(status / 100)))}xx` as StatusClass;
    this.http[cls]++;
  }

  /**
   * The logger the worker is given: every line still goes to `inner`, and the
   * delivery outcomes are counted on the way. The worker needs no metrics code
   * of its own, and the counters count exactly what the logs say happened.
   */
  countingLogger(inner: Logger): Logger {
    const count = (event: string) => {
      const outcome = (COUNTED as Record<string, Outcome | undefined>)[event];
      if (outcome) this.messages[outcome]++;
    };
    return {
      debug: (event, fields) => (count(event), inner.debug(event, fields)),
      info: (event, fields) => (count(event), inner.info(event, fields)),
      warn: (event, fields) => (count(event), inner.warn(event, fields)),
      error: (event, fields) => (count(event), inner.error(event, fields)),
    };
  }
}
