import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { CutMode, DelayStage, Fault } from './smtp-server';

/** One received message, as the child process reports it (see smtp-server-main.ts). */
export interface ReceivedSummary {
  messageId: string;
  subject: string;
  /** Addresses in the From / To / Cc headers, as mailparser reads them. */
  from: string[];
  to: string[];
  cc: string[];
  envelope: { from: string; to: string[] };
  user: string | undefined;
  secure: boolean;
  size: number;
  at: number;
  /** Longest line of the raw message, in octets (RFC 5322 caps it at 998). */
  maxLineOctets: number;
  /** A CR or LF not part of CRLF anywhere in the raw message. */
  bareLineBreaks: boolean;
  /** Any octet above 127 (the relay sends 7-bit MIME). */
  nonAscii: boolean;
  /** Lower-case names of the top-level header fields, in order. */
  headerNames: string[];
}

export type ChildCommand = { id: number } & (
  | { cmd: 'fail'; fault: Fault }
  | { cmd: 'dropInData'; n: number; mode: CutMode }
  | { cmd: 'setDelay'; ms: number; stages: DelayStage[] }
  | { cmd: 'clear' }
  | { cmd: 'received'; from?: number }
  | { cmd: 'stop' }
);

type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;

const MAIN = path.resolve('test/helpers/smtp-server-main.ts');

/**
 * The misbehaving SMTP server as a separate process: TestSmtpServer (real
 * smtp-server with STARTTLS + AUTH) in a child, driven over IPC. Kill it and
 * the port refuses connections; restart() brings it back on the same port.
 * What arrived since the last clear() survives only as long as the process.
 */
export class SmtpServerProcess {
  private child!: ChildProcess;
  private seq = 0;
  private pending = new Map<number, (result: unknown) => void>();
  port = 0;

  private constructor(
    private readonly users?: Record<string, string>,
    /** JSON-lines file every accepted message is appended to before its 250; survives kills and restarts. */
    readonly journal?: string,
  ) {}

  static async start(options: { port?: number; users?: Record<string, string>; journal?: string } = {}): Promise<SmtpServerProcess> {
    const p = new SmtpServerProcess(options.users, options.journal);
    await p.spawn(options.port ?? 0);
    return p;
  }

  get pid(): number | undefined {
    return this.child.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  get running(): boolean {
    return this.pid !== undefined;
  }

  private async spawn(port: number): Promise<void> {
    const child = fork(MAIN, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, SMTP_CHILD_OPTIONS: JSON.stringify({ port, users: this.users, journal: this.journal }) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    child.on('message', (m: { type: string; id?: number; result?: unknown }) => {
      if (m.type === 'reply' && m.id !== undefined) {
        this.pending.get(m.id)?.(m.result);
        this.pending.delete(m.id);
      }
    });
    child.once('exit', () => {
      for (const [id, resolve] of this.pending) {
        resolve(undefined);
        this.pending.delete(id);
      }
    });
    this.port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('SMTP server process did not start in 20 s')), 20_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`SMTP server process exited with ${code} before listening`));
      });
      child.on('message', (m: { type: string; port?: number }) => {
        if (m.type === 'listening') {
          clearTimeout(timer);
          resolve(m.port!);
        }
      });
    });
  }

  private ask<T>(command: Distribute<ChildCommand>): Promise<T> {
    if (!this.running) return Promise.reject(new Error('SMTP server process is not running'));
    const id = ++this.seq;
    return new Promise<T>((resolve) => {
      this.pending.set(id, resolve as (r: unknown) => void);
      this.child.send({ ...command, id });
    });
  }

  /** Script the next replies at a stage, e.g. {stage: 'data', code: 451, message: '4.3.0 try later'}. */
  fail(fault: Fault): Promise<void> {
    return this.ask({ cmd: 'fail', fault });
  }

  /** Cut the connection inside the next `n` DATA exchanges, before replying (see CutMode). */
  dropInData(n = 1, mode: CutMode = 'discard'): Promise<void> {
    return this.ask({ cmd: 'dropInData', n, mode });
  }

  setDelay(ms: number, stages: DelayStage[] = ['mail', 'data']): Promise<void> {
    return this.ask({ cmd: 'setDelay', ms, stages });
  }

  clear(): Promise<void> {
    return this.ask({ cmd: 'clear' });
  }

  /** What the server accepted (from index `from` on) and how many DATA exchanges it cut. */
  received(from = 0): Promise<{ received: ReceivedSummary[]; cuts: number; total: number }> {
    return this.ask({ cmd: 'received', from });
  }

  async waitFor(count: number, timeoutMs = 20_000): Promise<ReceivedSummary[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { received, total } = await this.received();
      if (total >= count) return received;
      if (Date.now() > deadline) throw new Error(`SMTP server process received ${total} of ${count} messages in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Everything the journal holds (every run of the process), when started with `journal`. */
  journaled(): ReceivedSummary[] {
    if (!this.journal || !fs.existsSync(this.journal)) return [];
    return fs
      .readFileSync(this.journal, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as ReceivedSummary);
  }

  /** Kills the process (SIGKILL by default): from now on its port refuses connections. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill(signal);
    await exited;
  }

  /** A new process on the same port (empty history, no faults). */
  async restart(): Promise<void> {
    await this.kill();
    await this.spawn(this.port);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    void this.ask({ cmd: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
