// The relay's SMTP connections, on their own thread (see smtp-thread.ts).
// nodemailer's pooled transports run here exactly as they would on the main
// thread: the main thread builds each transport's options (egress-checked
// address, credentials, limits) and the message; this thread composes the
// MIME, speaks SMTP and TLS, and answers with the result or the error.
// Plain JavaScript so it loads in a thread without the TypeScript loader.
import { parentPort } from 'node:worker_threads';
import tls from 'node:tls';
import nodemailer from 'nodemailer';

/** poolId → nodemailer transport */
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
  pools.set(poolId, nodemailer.createTransport(o));
}

function send({ id, poolId, mail }) {
  const transport = pools.get(poolId);
  if (!transport) {
    parentPort.postMessage({ op: 'result', id, error: { message: 'the SMTP transport was closed', code: 'ECONNECTION' } });
    return;
  }
  // Buffers arrive as Uint8Arrays.
  if (Array.isArray(mail.attachments)) {
    mail.attachments = mail.attachments.map((a) => (a.content instanceof Uint8Array ? { ...a, content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength) } : a));
  }
  transport.sendMail(mail).then(
    (info) => parentPort.postMessage({ op: 'result', id, info: { accepted: info.accepted, rejected: info.rejected, response: info.response, messageId: info.messageId } }),
    (error) => parentPort.postMessage({ op: 'result', id, error: wireError(error) }),
  );
}

parentPort.on('message', (m) => {
  switch (m.op) {
    case 'create':
      create(m);
      break;
    case 'send':
      send(m);
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
      pools.get(m.poolId)?.close();
      pools.delete(m.poolId);
      break;
    case 'stop':
      for (const t of pools.values()) t.close();
      pools.clear();
      parentPort.close();
      break;
  }
});
