import { sql } from 'kysely';
import type { RelayDb } from '../db';

export type CheckResult = 'ok' | string;

/**
 * On SIGTERM (main.ts) open requests get this long to finish once the listener closes, and then
 * in-flight mail as long again. The systemd unit's TimeoutStopSec and `docker stop -t` allow for both.
 */
export const SHUTDOWN_GRACE_MS = 10_000;

export interface ReadinessReport {
  ready: boolean;
  /** What /readyz answers: short reasons only, since the endpoint is public. */
  checks: { database: CheckResult; worker: CheckResult; shutdown: CheckResult };
  /** For the log, not the response: the driver's error (host names, ports), with any URL password masked. */
  detail?: { database?: string };
}

export interface ReadinessDeps {
  db: RelayDb;
  /** Whether the delivery loop is running now (see watched-worker.ts); `null` when it is healthy. */
  workerProblem: () => string | null;
  /** How long the database may take to answer `select 1` before the relay counts as not ready. */
  timeoutMs?: number;
}

/**
 * Readiness: may a load balancer send this replica traffic? Yes only when the
 * database answers, the delivery loop runs and the process is not shutting
 * down. Liveness (/healthz) stays separate and cheap, so an orchestrator does
 * not restart a relay that is merely waiting for its database.
 */
export class Readiness {
  private stopping = false;

  constructor(private readonly deps: ReadinessDeps) {}

  /** SIGTERM: answer 503 from now on, before the listener closes, so balancers stop routing here first. */
  beginShutdown(): void {
    this.stopping = true;
  }

  get shuttingDown(): boolean {
    return this.stopping;
  }

  async check(): Promise<ReadinessReport> {
    const db = await this.database();
    const worker = this.deps.workerProblem() ?? 'ok';
    const shutdown = this.stopping ? 'shutting down' : 'ok';
    const report: ReadinessReport = { ready: db.result === 'ok' && worker === 'ok' && shutdown === 'ok', checks: { database: db.result, worker, shutdown } };
    if (db.detail) report.detail = { database: db.detail };
    return report;
  }

  /** `select 1` through Kysely: the same check for SQLite and PostgreSQL, bounded so a stuck pool cannot hang the probe. */
  private async database(): Promise<{ result: CheckResult; detail?: string }> {
    const timeoutMs = this.deps.timeoutMs ?? 2_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const answer = sql<{ one: number }>`select 1 as one`.execute(this.deps.db);
      const late = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
      const r = await Promise.race([answer, late]);
      if (r === 'timeout') {
        answer.catch(() => undefined); // it may still fail later; nobody is waiting for it any more
        return { result: 'timeout', detail: `no answer to select 1 within ${timeoutMs} ms` };
      }
      return Number(r.rows[0]?.one) === 1 ? { result: 'ok' } : { result: 'unexpected answer', detail: 'select 1 did not return 1' };
    } catch (error) {
      // DATABASE_URL may carry a password, and a driver may quote it.
      return { result: 'unavailable', detail: redactUrl((error as Error).message) };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** postgres://user:secret@host → postgres://user:***@host, in case a driver error quotes the URL. */
export function redactUrl(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@');
}
