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
  checks: { database: CheckResult; worker: CheckResult; shutdown: CheckResult };
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
    const database = await this.database();
    const worker = this.deps.workerProblem() ?? 'ok';
    const shutdown = this.stopping ? 'shutting down' : 'ok';
    return { ready: database === 'ok' && worker === 'ok' && shutdown === 'ok', checks: { database, worker, shutdown } };
  }

  /** `select 1` through Kysely: the same check for SQLite and PostgreSQL, bounded so a stuck pool cannot hang the probe. */
  private async database(): Promise<CheckResult> {
    const timeoutMs = this.deps.timeoutMs ?? 2_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const answer = sql<{ one: number }>`select 1 as one`.execute(this.deps.db);
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)));
      const r = await Promise.race([answer, late]);
      return Number(r.rows[0]?.one) === 1 ? 'ok' : 'unexpected answer to select 1';
    } catch (error) {
      // The driver's message, never a connection string: DATABASE_URL may carry a password.
      return `unavailable: ${redactUrl((error as Error).message)}`;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** postgres://user:secret@host → postgres://user:***@host, in case a driver error quotes the URL. */
export function redactUrl(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@');
}
