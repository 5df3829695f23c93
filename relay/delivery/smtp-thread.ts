import { Worker } from 'node:worker_threads';
import type Mail from 'nodemailer/lib/mailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';

/** What the delivery worker needs of a transport: nodemailer's Transporter has the same shape. */
export interface SmtpTransport {
  sendMail(mail: Mail.Options): Promise<SentInfo>;
  close(): void;
  /** False once the transport can no longer send (its thread died): the pool builds a new one. */
  isOpen?(): boolean;
  /**
   * Present where sends wait on the transport for a free connection (the SMTP thread's pools):
   * those not started yet fail with TakenBack, and the transport, held since a send failed, goes
   * on. Resolves once they have.
   */
  takeBack?(): Promise<void>;
}

/** A send given back unsent (SmtpTransport.takeBack): it never reached the server. */
export class TakenBack extends Error {
  constructor() {
    super('taken back before it was sent');
    this.name = 'TakenBack';
  }
}

export interface SentInfo {
  accepted: (string | Mail.Address)[];
  rejected: (string | Mail.Address)[];
  response: string;
  messageId: string;
}

type ProvisionCallback = (user: string, renew: boolean, callback: (err: Error | null, token?: string, expires?: number) => void) => void;
type WireError = { message: string; name?: string; provisionErrorRef?: number; [k: string]: unknown };
type FromThread =
  | { op: 'result'; id: number; info?: SentInfo; error?: WireError }
  | { op: 'takenBack'; id: number; ids: number[] }
  | { op: 'provision'; id: number; poolId: number; user: string; renew: boolean };

/**
 * The relay's SMTP connections on a worker thread. Composing MIME, the SMTP
 * dialogue and TLS are most of what a message costs the relay; on the main
 * thread they competed with accepting mail (HTTP, validation, SQLite). Here
 * they run in parallel with it, on nodemailer's pooled transports exactly as
 * configured by transports.ts (which keeps egress checks, credentials, OAuth
 * tokens and the pool bookkeeping on the main thread).
 *
 * A message crosses to the thread as a structured clone of its nodemailer
 * options; results and errors come back as plain objects with the fields the
 * worker classifies SMTP failures by. Should the thread die, its pending sends
 * fail as connection errors (retried with the same Message-ID) and the next
 * transport starts a new thread.
 */
export class SmtpThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private calls = new Map<number, { resolve: (info: SentInfo) => void; reject: (error: unknown) => void }>();
  /** takeBack() calls waiting for the thread's answer. */
  private takeBacks = new Map<number, () => void>();
  private provisioners = new Map<number, ProvisionCallback>();
  /** Token errors handed to the thread, kept so the send's failure is the original object (its class matters). */
  private provisionErrors = new Map<number, unknown>();

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./smtp-thread-worker.mjs', import.meta.url));
    // Only while sends are pending does the thread keep the process alive.
    worker.unref();
    worker.on('message', (m: FromThread) => this.onMessage(m));
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = null;
      this.failAll(new Error('the SMTP thread stopped'));
    });
    this.worker = worker;
    return worker;
  }

  /** A pooled transport on the thread. `ca`: the extra trusted CA (a TLS context cannot cross threads). */
  createTransport(options: SMTPPool.Options, ca?: string): SmtpTransport {
    const poolId = this.nextId++;
    const auth = options.auth as { provisionCallback?: ProvisionCallback } | undefined;
    const provision = typeof auth?.provisionCallback === 'function' ? auth.provisionCallback : undefined;
    const cloneable: Record<string, unknown> = { ...options };
    if (provision) cloneable.auth = { ...auth, provisionCallback: undefined };
    if (options.tls && 'secureContext' in options.tls) {
      const { secureContext: _dropped, ...tlsRest } = options.tls;
      cloneable.tls = tlsRest;
    }
    if (provision) this.provisioners.set(poolId, provision);
    const worker = this.thread();
    worker.postMessage({ op: 'create', poolId, options: cloneable, ca, provision: !!provision });
    let closed = false;
    return {
      sendMail: (mail) =>
        new Promise<SentInfo>((resolve, reject) => {
          if (closed) return reject(Object.assign(new Error('the SMTP transport was closed'), { code: 'ECONNECTION' }));
          const id = this.nextId++;
          this.calls.set(id, { resolve, reject });
          if (this.calls.size === 1) this.worker?.ref();
          // The worker this transport was created on; if it died since, the send fails and is retried.
          if (this.worker !== worker) return this.settle(id, { error: { message: 'the SMTP thread stopped', code: 'ECONNECTION' } });
          worker.postMessage({ op: 'send', id, poolId, mail });
        }),
      isOpen: () => !closed && this.worker === worker,
      takeBack: () =>
        new Promise<void>((resolve) => {
          // A dead thread failed every send already (failAll): nothing waits there.
          if (this.worker !== worker) return resolve();
          const id = this.nextId++;
          this.takeBacks.set(id, resolve);
          worker.postMessage({ op: 'takeBack', id, poolId });
        }),
      close: () => {
        if (closed) return;
        closed = true;
        this.provisioners.delete(poolId);
        if (this.worker === worker) worker.postMessage({ op: 'close', poolId });
      },
    };
  }

  /** Closes every connection and ends the thread (at most `graceMs` for SMTP QUITs). */
  async stop(graceMs = 2000): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((r) => worker.once('exit', () => r()));
    // Waited for, the thread must keep the process alive until it has ended.
    worker.ref();
    worker.postMessage({ op: 'stop' });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    if (this.worker === worker) await worker.terminate();
  }

  private onMessage(m: FromThread): void {
    if (m.op === 'result') return this.settle(m.id, m);
    if (m.op === 'takenBack') {
      for (const id of m.ids) this.take(id)?.reject(new TakenBack());
      const done = this.takeBacks.get(m.id);
      this.takeBacks.delete(m.id);
      return done?.();
    }
    const provision = this.provisioners.get(m.poolId);
    const answer = (msg: Record<string, unknown>) => this.worker?.postMessage({ op: 'provided', id: m.id, ...msg });
    if (!provision) return answer({ error: { message: 'the SMTP transport was closed' } });
    provision(m.user, m.renew, (err, token, expires) => {
      if (err) {
        const ref = this.nextId++;
        this.provisionErrors.set(ref, err);
        // A failed renewal for an idle connection never reaches a send: keep only the latest few.
        if (this.provisionErrors.size > 64) this.provisionErrors.delete(this.provisionErrors.keys().next().value!);
        answer({ error: { message: err.message, provisionErrorRef: ref } });
      } else answer({ token, expires });
    });
  }

  /** Removes a pending send to answer it; with none left pending the thread no longer keeps the process alive. */
  private take(id: number) {
    const call = this.calls.get(id);
    if (!call) return undefined;
    this.calls.delete(id);
    if (this.calls.size === 0) this.worker?.unref();
    return call;
  }

  private settle(id: number, m: { info?: SentInfo; error?: WireError }): void {
    const call = this.take(id);
    if (!call) return;
    if (!m.error) return call.resolve(m.info!);
    const ref = m.error.provisionErrorRef;
    if (ref !== undefined && this.provisionErrors.has(ref)) {
      const original = this.provisionErrors.get(ref);
      this.provisionErrors.delete(ref);
      return call.reject(original);
    }
    const { message, provisionErrorRef: _ref, ...fields } = m.error;
    call.reject(Object.assign(new Error(message), fields));
  }

  private failAll(error: Error): void {
    for (const id of [...this.calls.keys()]) this.settle(id, { error: { message: error.message, code: 'ECONNECTION' } });
    for (const done of this.takeBacks.values()) done();
    this.takeBacks.clear();
  }
}
