// The relay's SMTP connections, on their own thread (see smtp-thread.ts).
// nodemailer's pooled transports run here exactly as they would on the main
// thread: the main thread builds each transport's options (egress-checked
// address, credentials, limits) and the message; this thread composes the
// MIME, speaks SMTP and TLS, and answers with the result or the error.
// Plain JavaScript so it loads in a thread without the TypeScript loader.
import { parentPort } from 'node:worker_threads';
import tls from 'node:tls';
import nodemailer from 'nodemailer';

/**
 * poolId → { transport, limit, active, paused, queue }. Sends wait in `queue` for one of the
 * pool's `limit` connections, so the next message starts the moment a connection is free, without
 * a turn of the main thread's event loop (busy accepting mail). After a failure the pool starts
 * nothing more until the main thread has taken back what waits (takeBack): a hold or a refused
 * login must leave those messages unsent.
 */
const pools = new Map();
/** A TLS context per extra CA, built once (as smtp-options.ts does on the main thread). */
const contexts = new Map();
/** Token requests waiting for the main thread (OAuth channels): id → nodemailer's callback. */
const provisions = new Map();
let nextProvision = 1;

const ERROR_FIELDS = ['code', 'originalCode', 'response', 'responseCode', 'command', 'errno', 'syscall', 'address', 'port', 'provisionErrorRef'];

/** Errors cross threads as plain objects; the fields the relay classifies SMTP failures by are kept. */
function wireError(e) {
  if (!e || typeof e !== 'object') return { message: String(e) };
  const out = { message: String(e.message ?? e), name: e.name };
  for (const k of ERROR_FIELDS) if (e[k] !== undefined && e[k] !== null) out[k] = e[k];
  return out;
}

function secureContext(ca) {
  let ctx = contexts.get(ca);
  if (!ctx) {
    ctx = tls.createSecureContext({ ca: [...tls.rootCertificates, ca], minVersion: 'TLSv1.2' });
    contexts.set(ca, ctx);
  }
  return ctx;
}

function create({ poolId, options, ca, provision }) {
  const o = { ...options };
  if (ca) o.tls = { ...o.tls, secureContext: secureContext(ca) };
  if (provision) {
    // nodemailer asks for a fresh OAuth access token; the main thread owns the token store.
    o.auth = {
      ...o.auth,
      provisionCallback: (user, renew, callback) => {
        const id = nextProvision++;
        provisions.set(id, callback);
        parentPort.postMessage({ op: 'provision', id, poolId, user, renew });
      },
    };
  }
  // nodemailer's own default when maxConnections is not set.
  pools.set(poolId, { transport: nodemailer.createTransport(o), limit: o.maxConnections || 5, active: 0, paused: false, queue: [] });
}

function send({ id, poolId, mail }) {
  const pool = pools.get(poolId);
  if (!pool) {
    parentPort.postMessage({ op: 'result', id, error: { message: 'the SMTP transport was closed', code: 'ECONNECTION' } });
    return;
  }
  // Buffers arrive as Uint8Arrays.
  if (Array.isArray(mail.attachments)) {
    mail.attachments = mail.attachments.map((a) => (a.content instanceof Uint8Array ? { ...a, content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength) } : a));
  }
  pool.queue.push({ id, mail });
  pump(pool);
}

/** Starts waiting sends while a connection is free, unless a failure paused the pool. */
function pump(pool) {
  while (!pool.paused && pool.active < pool.limit && pool.queue.length) {
    const { id, mail } = pool.queue.shift();
    pool.active++;
    pool.transport.sendMail(mail).then(
      (info) => {
        pool.active--;
        parentPort.postMessage({ op: 'result', id, info: { accepted: info.accepted, rejected: info.rejected, response: info.response, messageId: info.messageId } });
        pump(pool);
      },
      (error) => {
        pool.active--;
        pool.paused = true;
        parentPort.postMessage({ op: 'result', id, error: wireError(error) });
      },
    );
  }
}

/** Hands back the sends not started yet (their ids), and lets the pool go on with what comes next. */
function takeBack({ id, poolId }) {
  const pool = pools.get(poolId);
  const ids = pool ? pool.queue.map((q) => q.id) : [];
  if (pool) {
    pool.queue = [];
    pool.paused = false;
  }
  parentPort.postMessage({ op: 'takenBack', id, ids });
}

function closePool(poolId) {
  const pool = pools.get(poolId);
  if (!pool) return;
  pools.delete(poolId);
  for (const q of pool.queue) parentPort.postMessage({ op: 'result', id: q.id, error: { message: 'the SMTP transport was closed', code: 'ECONNECTION' } });
  pool.transport.close();
}

parentPort.on('message', (m) => {
  switch (m.op) {
    case 'create':
      create(m);
      break;
    case 'send':
      send(m);
      break;
    case 'takeBack':
      takeBack(m);
      break;
    case 'provided': {
      const callback = provisions.get(m.id);
      provisions.delete(m.id);
      if (!callback) break;
      if (m.error) callback(Object.assign(new Error(m.error.message), m.error));
      else callback(null, m.token, m.expires);
      break;
    }
    case 'close':
      closePool(m.poolId);
      break;
    case 'stop':
      for (const poolId of [...pools.keys()]) closePool(poolId);
      parentPort.close();
      break;
  }
});
