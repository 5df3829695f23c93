import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { SmtpServerProcess, type ReceivedSummary } from './smtp-server-process';
import { TEST_CA_FILE, createChannel, smtpChannel, startRelay } from './relay';
import { freePort } from './free-port';

/**
 * The crash drill of issue 9: a real relay process (relay/main.ts, as `npm run
 * relay` starts it) delivers `messages` messages to a real SMTP server process
 * while it is killed with SIGKILL `kills` times at random points and started
 * again on the same data directory. A client posts every message with an
 * Idempotency-Key and, like the extension, simply re-posts with the same key
 * when the relay is gone. At the end the server's copies are counted by
 * Message-ID. Used by test/integration/reliability-crash.test.ts (small) and
 * test/soak/crash.soak.test.ts (1,000 messages × 5 kills).
 */
export interface CrashRunOptions {
  messages: number;
  kills: number;
  /** SMTP connections the channel may use (bounds how many sends a kill can cut). */
  concurrency?: number;
  /** POSTs in flight at once. */
  postInFlight?: number;
  /** The SMTP server holds its 250 this long after it has the message: widens the window in which a kill cuts a DATA exchange. */
  dataReplyDelayMs?: number;
  /** Seed for the kill points (printed in the report; set CRASH_SEED to replay one). */
  seed?: number;
  timeoutMs?: number;
}

export interface CrashReport {
  seed: number;
  messages: number;
  kills: number;
  /** Kills that landed while messages were still being posted. */
  killsWhilePosting: number;
  /** Server copies already received when each kill landed. */
  killPoints: number[];
  /** Messages the relay acknowledged with 202 (must equal `messages`). */
  accepted: number;
  /** POSTs that failed because the relay was killed under them and were re-posted with the same key. */
  repostedAfterCrash: number;
  /** Re-posts the relay answered as replays (Idempotent-Replayed): the first POST had reached the disk. */
  replayed: number;
  /** Distinct Message-IDs the server holds. */
  delivered: number;
  /** Copies the server holds in total. */
  copies: number;
  /** Message-IDs the server holds twice: sends a kill cut inside the SMTP DATA exchange. */
  duplicates: { messageId: string; copies: number; attempts: number }[];
  /** Accepted messages the server never got (must be empty). */
  lost: string[];
  /** Message-IDs the server got that no 202 announced (must be empty). */
  unknown: string[];
  maxCopies: number;
  /** Messages recovered from "sending" at the restarts, per the relay's log. */
  recoveredInFlight: number;
  /** The same, as the API showed them right after each restart (they may already have been re-sent). */
  recoveredSeen: number;
  non202: string[];
  restartMs: number[];
  durationMs: number;
}

/** Small seeded PRNG (mulberry32): the kill points of a failing run can be replayed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LiveRelay {
  child: ChildProcess;
  url: string;
  out: string[];
}

export async function spawnRelay(dataDir: string): Promise<LiveRelay> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'relay/main.ts'], {
    env: {
      PATH: process.env.PATH,
      RELAY_DATA_DIR: dataDir,
      RELAY_PORT: String(port),
      RELAY_SMTP_ALLOWLIST: '127.0.0.1',
      RELAY_SMTP_CA_FILE: TEST_CA_FILE,
      RELAY_SMTP_TIMEOUT_MS: '5000',
      RELAY_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
  const deadline = Date.now() + 30_000;
  while (!out.join('').includes('listening on')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`relay did not start: ${out.join('')}`);
    await sleep(20);
  }
  return { child, url: `http://127.0.0.1:${port}`, out };
}

export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

export async function crashRun(o: CrashRunOptions): Promise<CrashReport> {
  const started = Date.now();
  const seed = o.seed ?? Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const random = prng(seed);
  const concurrency = o.concurrency ?? 4;
  const timeoutMs = o.timeoutMs ?? 240_000;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-crash-'));
  const smtp = await SmtpServerProcess.start();
  if (o.dataReplyDelayMs) await smtp.setDelay(o.dataReplyDelayMs, ['data']);

  // Token and channel through the relay's own code, on the data dir the processes will use.
  const setup = await startRelay({ dataDir });
  const token = await setup.createToken('rep@example.com');
  const channelId = await createChannel(setup, token, smtpChannel(smtp.port, { name: 'Crash sink', limits: { concurrency } }));
  await setup.stop();

  let relay = await spawnRelay(dataDir);
  const allOut: string[] = [];
  let posting = true;
  const accepted = new Map<number, { id: string; messageId: string }>();
  const non202: string[] = [];
  let reposted = 0;
  let replayed = 0;
  const restartMs: number[] = [];
  const killPoints: number[] = [];
  let killsWhilePosting = 0;
  const deadline = started + timeoutMs;

  const recoveredIds: string[] = [];
  const api = async <T>(urlPath: string): Promise<T> => {
    for (;;) {
      try {
        const res = await fetch(relay.url + urlPath, { headers: { Authorization: `Bearer ${token}` } });
        return (await res.json()) as T;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(50);
      }
    }
  };
  /** Messages the restarted relay took back from "sending" (its recover() marks them). */
  const listRecovered = async () => {
    const { messages } = await api<{ messages: { id: string; lastError?: string }[] }>('/v1/messages?status=retrying,sending&limit=500');
    return messages.filter((m) => m.lastError?.startsWith('relay restarted during delivery')).map((m) => m.id);
  };
  const waitSent = async (ids: string[]) => {
    for (const id of ids) {
      for (;;) {
        const m = await api<{ status: string }>(`/v1/messages/${id}`);
        if (m.status === 'sent') break;
        if (m.status === 'failed' || m.status === 'cancelled') throw new Error(`recovered message ${id} ended ${m.status}`);
        if (Date.now() > deadline) throw new Error(`recovered message ${id} still ${m.status} at the deadline`);
        await sleep(20);
      }
    }
  };

  const post = async (i: number) => {
    let failedOnce = false;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`message ${i} not accepted before the deadline`);
      try {
        const res = await fetch(`${relay.url}/v1/messages`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': `crash-${seed}-${i}` },
          body: JSON.stringify({ channelId, from: 'rep@example.com', to: [`lead${i}@customer.test`], subject: `crash drill ${i}`, text: `message ${i}\n`.repeat(20) }),
        });
        const body = (await res.json()) as { id: string; messageId: string };
        if (res.status !== 202) {
          non202.push(`${i}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
          await sleep(50);
          continue;
        }
        if (failedOnce && res.headers.get('idempotent-replayed') === 'true') replayed++;
        accepted.set(i, { id: body.id, messageId: body.messageId });
        return;
      } catch {
        // The relay died under this request (or is restarting): send the same key again.
        if (!failedOnce) reposted++;
        failedOnce = true;
        await sleep(50);
      }
    }
  };

  const poster = (async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: o.postInFlight ?? 16 }, async () => {
        while (next < o.messages) await post(next++);
      }),
    );
    posting = false;
  })();

  // Kill points: random server copy counts spread over the run, so kills land while posting and while delivering.
  const points = Array.from({ length: o.kills }, () => Math.floor(random() * o.messages * 0.9) + 1).sort((a, b) => a - b);
  try {
    for (const point of points) {
      for (;;) {
        const { total } = await smtp.received(Number.MAX_SAFE_INTEGER);
        if (total >= point) break;
        if (Date.now() > deadline) throw new Error(`SMTP server stuck at ${total} copies, waiting for ${point}`);
        await sleep(5);
      }
      await sleep(Math.floor(random() * 20)); // somewhere inside the next sends
      killPoints.push((await smtp.received(Number.MAX_SAFE_INTEGER)).total);
      if (posting) killsWhilePosting++;
      await killHard(relay.child);
      allOut.push(...relay.out);
      const t0 = Date.now();
      relay = await spawnRelay(dataDir);
      restartMs.push(Date.now() - t0);
      // "Kill, restart, repeat": the next kill is armed once the sends this kill cut have been redone,
      // so each kill cuts its own sends (two kills cutting one message could leave three copies).
      const recovered = await listRecovered();
      recoveredIds.push(...recovered);
      await waitSent(recovered);
    }
    await poster;

    // Let the last relay finish: every accepted message sent.
    let sent = 0;
    for (;;) {
      const res = await fetch(`${relay.url}/v1/limits`, { headers: { Authorization: `Bearer ${token}` } });
      const l = ((await res.json()) as { limits: { channelId: string; queued: number; sent: number; failed: number }[] }).limits.find((x) => x.channelId === channelId)!;
      if (l.queued === 0) {
        if (l.failed > 0) throw new Error(`${l.failed} messages failed during the crash drill`);
        sent = l.sent;
        break;
      }
      if (Date.now() > deadline) throw new Error(`still ${l.queued} queued at the deadline`);
      await sleep(100);
    }
    await sleep(300); // a late copy from a cut exchange could still land
    const { received } = await smtp.received();
    // The relay's own view of every message the server holds twice (and of any it lacks).
    const copies = new Map<string, number>();
    for (const r of received) copies.set(r.messageId, (copies.get(r.messageId) ?? 0) + 1);
    const statuses = new Map<string, { status: string; attempts: number }>();
    for (const a of accepted.values()) {
      if (copies.get(a.messageId) === 1) continue;
      const res = await fetch(`${relay.url}/v1/messages/${a.id}`, { headers: { Authorization: `Bearer ${token}` } });
      const m = (await res.json()) as { status: string; attempts: number };
      statuses.set(a.messageId, { status: m.status, attempts: m.attempts });
    }
    if (sent !== accepted.size) throw new Error(`the relay counts ${sent} sent of ${accepted.size} accepted`);
    allOut.push(...relay.out);
    return report(received, statuses);
  } finally {
    await killHard(relay.child);
    await smtp.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  function report(received: ReceivedSummary[], statuses: Map<string, { status: string; attempts: number }>): CrashReport {
    const copies = new Map<string, number>();
    for (const r of received) copies.set(r.messageId, (copies.get(r.messageId) ?? 0) + 1);
    const announced = new Set([...accepted.values()].map((a) => a.messageId));
    const recovered = allOut
      .join('')
      .split('\n')
      .filter((l) => l.includes('"recovered_in_flight"'))
      .reduce((s, l) => s + Number(/"count":(\d+)/.exec(l)?.[1] ?? 0), 0);
    return {
      seed,
      messages: o.messages,
      kills: killPoints.length,
      killsWhilePosting,
      killPoints,
      accepted: accepted.size,
      repostedAfterCrash: reposted,
      replayed,
      delivered: copies.size,
      copies: received.length,
      duplicates: [...copies].filter(([, n]) => n > 1).map(([messageId, n]) => ({ messageId, copies: n, attempts: statuses.get(messageId)?.attempts ?? -1 })),
      lost: [...announced].filter((id) => !copies.has(id)),
      unknown: [...copies.keys()].filter((id) => !announced.has(id)),
      maxCopies: Math.max(0, ...copies.values()),
      recoveredInFlight: recovered,
      recoveredSeen: recoveredIds.length,
      non202,
      restartMs,
      durationMs: Date.now() - started,
    };
  }
}

/**
 * The drill's verdict: nothing accepted is lost, nothing arrives more than
 * twice, and every second copy is a send a kill cut before the relay recorded
 * the server's answer (so the relay retried it: attempts ≥ 2), at most two per
 * connection per kill.
 */
export function checkCrashReport(r: CrashReport, concurrency: number): void {
  expect(r.non202).toEqual([]);
  expect(r.accepted).toBe(r.messages);
  expect(r.lost).toEqual([]);
  expect(r.unknown).toEqual([]);
  expect(r.delivered).toBe(r.messages);
  expect(r.maxCopies).toBeLessThanOrEqual(2);
  expect(r.copies).toBe(r.delivered + r.duplicates.length);
  for (const d of r.duplicates) expect(d.attempts, d.messageId).toBeGreaterThanOrEqual(2);
  // Per kill and connection: the send inside DATA, plus at most one whose 250 had arrived but whose
  // result was not yet committed (results are written in groups while the connection moves on).
  expect(r.duplicates.length).toBeLessThanOrEqual(r.kills * concurrency * 2);
  expect(r.kills).toBeGreaterThan(0);
  // Every kill landed while mail was still being delivered.
  for (const p of r.killPoints) expect(p).toBeLessThan(r.messages);
}

export function printCrashReport(name: string, r: CrashReport): void {
  const summary = {
    seed: r.seed,
    messages: r.messages,
    kills: r.kills,
    killsWhilePosting: r.killsWhilePosting,
    killPoints: r.killPoints,
    accepted: r.accepted,
    repostedAfterCrash: r.repostedAfterCrash,
    replayed: r.replayed,
    delivered: r.delivered,
    copies: r.copies,
    duplicates: r.duplicates.length,
    lost: r.lost.length,
    recoveredInFlight: r.recoveredInFlight,
    recoveredSeen: r.recoveredSeen,
    restartMs: r.restartMs,
    durationMs: r.durationMs,
  };
  console.log(`[${name}] ${JSON.stringify(summary)}`);
  fs.mkdirSync('test-results', { recursive: true });
  fs.writeFileSync(`test-results/${name}.json`, JSON.stringify({ ...summary, duplicateIds: r.duplicates }, null, 2));
}
