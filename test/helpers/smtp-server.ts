import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

/** A message the server accepted, parsed with a real MIME parser. */
export interface Received {
  envelope: { from: string; to: string[] };
  user: string | undefined;
  authMethod: string | undefined;
  secure: boolean;
  raw: Buffer;
  parsed: ParsedMail;
  at: number;
}

/** 'connect' answers the connection itself (e.g. 421 instead of the 220 greeting). */
export type Stage = 'connect' | 'auth' | 'mail' | 'rcpt' | 'data';

/** Where setDelay holds the reply: the 220 greeting, MAIL FROM, or the final reply to DATA. */
export type DelayStage = 'connect' | 'mail' | 'data';

/**
 * How a DATA exchange is cut: 'discard' — the server drops the message and the
 * connection before replying; 'keep' — it keeps the message (an MTA that
 * queued it) but the connection dies before the 250 is sent. The client
 * cannot tell the two apart; only 'keep' can lead to a second copy.
 */
export type CutMode = 'discard' | 'keep';

/** A scripted misbehaviour: the next `times` commands at `stage` get `code message`. */
export interface Fault {
  stage: Stage;
  code: number;
  message: string;
  times?: number;
}

export interface TestSmtpOptions {
  users?: Record<string, string>;
  /** Accept AUTH XOAUTH2 with this check on the bearer token. */
  acceptToken?: (user: string, token: string) => boolean;
  /** Require STARTTLS before AUTH (default true). */
  requireTls?: boolean;
  /** Called for each accepted message before the server says 250 (e.g. to journal it to disk). */
  onReceived?: (r: Received) => void;
}

const TLS_DIR = path.resolve('test/fixtures/tls');

/**
 * A real SMTP server on 127.0.0.1 with STARTTLS and AUTH (PLAIN, LOGIN,
 * XOAUTH2), built on the smtp-server package. It keeps what it received,
 * parsed with mailparser, and can be told to misbehave.
 */
export class TestSmtpServer {
  readonly received: Received[] = [];
  readonly authAttempts: { method: string; user: string; ok: boolean; token?: string }[] = [];
  private faults: Fault[] = [];
  private cutQueue: CutMode[] = [];
  private delayMs = 0;
  private delayStages: DelayStage[] = ['mail', 'data'];
  /** DATA exchanges cut so far (both modes). */
  cuts = 0;
  private server: SMTPServer;
  private waiters: (() => void)[] = [];
  port = 0;

  constructor(private readonly options: TestSmtpOptions = {}) {
    const users = options.users ?? { 'rep@example.com': 'correct horse' };
    this.server = new SMTPServer({
      key: fs.readFileSync(path.join(TLS_DIR, 'key.pem')),
      cert: fs.readFileSync(path.join(TLS_DIR, 'cert.pem')),
      authMethods: ['PLAIN', 'LOGIN', 'XOAUTH2'],
      allowInsecureAuth: options.requireTls === false,
      size: 30 * 1024 * 1024,
      logger: false,
      disableReverseLookup: true,
      onConnect: (_session, callback) => {
        const fault = this.takeFault('connect');
        // Holding this callback holds the 220 greeting: a server too slow to greet.
        this.later('connect', () => callback(fault ? smtpError(fault) : undefined));
      },
      onAuth: (auth, session, callback) => {
        const fault = this.takeFault('auth');
        if (fault) return callback(smtpError(fault));
        const user = auth.username ?? '';
        if (auth.method === 'XOAUTH2') {
          const token = auth.accessToken ?? '';
          const ok = options.acceptToken ? options.acceptToken(user, token) : false;
          this.authAttempts.push({ method: 'XOAUTH2', user, ok, token });
          if (!ok) return callback(null, { data: { status: '401', schemes: 'bearer', scope: 'SMTP.Send' } });
          return callback(null, { user });
        }
        const ok = users[user] !== undefined && users[user] === auth.password;
        this.authAttempts.push({ method: auth.method, user, ok });
        if (!ok) return callback(smtpError({ stage: 'auth', code: 535, message: '5.7.3 Authentication unsuccessful' }));
        callback(null, { user });
      },
      onMailFrom: (_address, _session, callback) => {
        const fault = this.takeFault('mail');
        this.later('mail', () => callback(fault ? smtpError(fault) : null));
      },
      onRcptTo: (_address, _session, callback) => {
        const fault = this.takeFault('rcpt');
        callback(fault ? smtpError(fault) : null);
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const cut = this.cutQueue.shift();
          if (cut) {
            // The callback is never called: no reply to DATA ever leaves the server.
            const raw = Buffer.concat(chunks);
            void (cut === 'keep' ? this.accept(raw, session) : Promise.resolve()).finally(() => this.cut(session.id));
            return;
          }
          const fault = this.takeFault('data');
          if (fault) return callback(smtpError(fault));
          void this.accept(Buffer.concat(chunks), session).then(
            () => this.later('data', () => callback(null)),
            (error) => callback(error as Error),
          );
        });
      },
    });
    this.server.on('error', () => undefined);
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Script the next replies at a stage, e.g. {stage: 'data', code: 451, message: '4.3.0 try later'}. */
  fail(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  /**
   * Cut the connection inside the next `n` DATA exchanges, after the message
   * body arrived and before any reply (see CutMode).
   */
  dropInData(n = 1, mode: CutMode = 'discard'): void {
    for (let i = 0; i < n; i++) this.cutQueue.push(mode);
  }

  /** Delay replies by `ms` (timeout tests): by default MAIL FROM and the final DATA reply; 'connect' holds the greeting. */
  setDelay(ms: number, stages: DelayStage[] = ['mail', 'data']): void {
    this.delayMs = ms;
    this.delayStages = stages;
  }

  clear(): void {
    this.received.length = 0;
    this.authAttempts.length = 0;
    this.faults = [];
    this.cutQueue = [];
    this.cuts = 0;
  }

  /** Connections currently open (the relay's pool keeps some). */
  get openConnections(): number {
    return this.server.connections.size;
  }

  async waitFor(count: number, timeoutMs = 20_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`SMTP server received ${this.received.length} of ${count} messages in ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.received.slice(0, count);
  }

  private takeFault(stage: Stage): Fault | undefined {
    const i = this.faults.findIndex((f) => f.stage === stage);
    if (i < 0) return undefined;
    const fault = this.faults[i]!;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.faults.splice(i, 1);
    return fault;
  }

  private later(stage: DelayStage, fn: () => void) {
    if (this.delayMs > 0 && this.delayStages.includes(stage)) setTimeout(fn, this.delayMs);
    else fn();
  }

  /**
   * Closes the SMTP connection that carries this session. smtp-server has no
   * per-session abort, but it keeps every open connection in
   * `server.connections` (public, typed) and each one's public close() ends
   * the socket and stops reading it — the client sees the connection go
   * away with its DATA unanswered.
   */
  private cut(sessionId: string) {
    for (const connection of this.server.connections) {
      if (connection.id === sessionId || connection.session?.id === sessionId) {
        this.cuts++;
        connection.close();
      }
    }
  }

  private async accept(raw: Buffer, session: SMTPServerSession) {
    const parsed = await simpleParser(raw);
    const r: Received = {
      envelope: {
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        to: session.envelope.rcptTo.map((r) => r.address),
      },
      user: session.user as string | undefined,
      authMethod: (session as unknown as { authMethod?: string }).authMethod,
      secure: session.secure,
      raw,
      parsed,
      at: Date.now(),
    };
    this.received.push(r);
    this.options.onReceived?.(r);
    for (const w of this.waiters.splice(0)) w();
  }
}

function smtpError(fault: Fault): Error {
  const error = new Error(fault.message) as Error & { responseCode: number };
  error.responseCode = fault.code;
  return error;
}

export const TEST_TLS_CERT = () => fs.readFileSync(path.join(TLS_DIR, 'cert.pem'), 'utf8');
