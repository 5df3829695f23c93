import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** The sink's SMTP login. Kept here, not in sink.ts: importing sink.ts starts a server. */
export const SINK_USER = 'bench@example.com';
export const SINK_PASS = 'bench-password';

export interface SinkStats {
  count: number;
  lastAt: number;
  unique: number;
  duplicates: number;
  /** SMTP sessions opened since the last reset. */
  connections: number;
  /** Message bytes (DATA) received since the last reset. */
  bytes: number;
  /** CPU time the sink process used so far (user + system), ms. */
  cpuMs: number;
}

/** Starts bench/sink.ts in its own process and talks to it over IPC. */
export class Sink {
  private constructor(
    private child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(): Promise<Sink> {
    const child = fork(path.resolve('bench/sink.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.on('message', (m: { type: string; port?: number }) => m.type === 'listening' && resolve(m.port!));
    });
    return new Sink(child, port);
  }

  private ask<T>(type: string): Promise<T> {
    return new Promise((resolve) => {
      const onMessage = (m: { type: string }) => {
        if (m.type !== type) return;
        this.child.off('message', onMessage);
        resolve(m as T);
      };
      this.child.on('message', onMessage);
      this.child.send({ type });
    });
  }

  stats(): Promise<SinkStats> {
    return this.ask<SinkStats>('stats');
  }

  async reset(): Promise<void> {
    await this.ask('reset');
  }

  /** Polls until `count` messages arrived; returns the stats then. */
  async waitFor(count: number, timeoutMs = 600_000): Promise<SinkStats> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.stats();
      if (s.count >= count) return s;
      if (Date.now() > deadline) throw new Error(`sink received ${s.count} of ${count} in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ type: 'stop' });
    await exited;
  }
}
