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

export type Stage = 'auth' | 'mail' | 'rcpt' | 'data';

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
  private dropNextData = 0;
  private delayMs = 0;
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
        this.later(() => callback(fault ? smtpError(fault) : null));
      },
      onRcptTo: (_address, _session, callback) => {
        const fault = this.takeFault('rcpt');
        callback(fault ? smtpError(fault) : null);
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (this.dropNextData > 0) {
            this.dropNextData--;
            // Cut the connection inside DATA: the client never sees a reply.
            (session as unknown as { _socket?: { destroy(): void } })._socket?.destroy();
            return;
          }
          const fault = this.takeFault('data');
          if (fault) return callback(smtpError(fault));
          void this.accept(Buffer.concat(chunks), session).then(
            () => this.later(() => callback(null)),
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

  /** Drop the connection inside the next `n` DATA exchanges, before replying. */
  dropInData(n = 1): void {
    this.dropNextData += n;
  }

  /** Delay MAIL FROM and the final DATA reply by `ms` (for timeout tests). */
  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  clear(): void {
    this.received.length = 0;
    this.authAttempts.length = 0;
    this.faults = [];
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

  private later(fn: () => void) {
    if (this.delayMs > 0) setTimeout(fn, this.delayMs);
    else fn();
  }

  private async accept(raw: Buffer, session: SMTPServerSession) {
    const parsed = await simpleParser(raw);
    this.received.push({
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
    });
    for (const w of this.waiters.splice(0)) w();
  }
}

function smtpError(fault: Fault): Error {
  const error = new Error(fault.message) as Error & { responseCode: number };
  error.responseCode = fault.code;
  return error;
}

export const TEST_TLS_CERT = () => fs.readFileSync(path.join(TLS_DIR, 'cert.pem'), 'utf8');
