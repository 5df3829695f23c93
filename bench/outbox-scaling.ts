/**
 * Outbox cost against queue depth (issue 10, item 5): N messages waiting in
 * the real SQLite outbox (inserted with the relay's own insertMessage, in
 * batches), then the real worker delivers the first M of them to a loopback
 * SMTP server. Worker time per delivered message (claim + send + record)
 * must stay flat from 1,000 to 100,000 queued: claims must not scan the queue.
 *
 * Also here: measureClaimCost, the claim path alone (DeliveryWorker.claimDue: the
 * queue look-up, the status change and the ledger reservation in one
 * transaction) on a queue of 10 KB messages, and measureClients, relay
 * throughput and POST latency at 1, 4 and 16 concurrent clients against a real
 * relay process and the SMTP sink process. The command prints all three:
 * { claim: [{queued, claimMsPerMessage, ...}], delivery: [...], clients: [...] }.
 * BENCH_DEPTHS=1000,10000,100000 BENCH_CLAIM_SAMPLE=500 BENCH_SCALE_N=1000
 */
import { randomUUID } from 'node:crypto';
import { TestSmtpServer } from '../test/helpers/smtp-server';
import { createChannel, smtpChannel, startRelay } from '../test/helpers/relay';
import { insertMessage } from '../relay/store/messages';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PRESET_LIMITS } from '../shared/limits';
import { systemClock } from '../relay/clock';
import { openSqlite } from '../relay/db';
import { TransportPool } from '../relay/delivery/transports';
import { DeliveryWorker } from '../relay/delivery/worker';
import { createLogger } from '../relay/log';
import { Allowlist, systemLookup } from '../relay/security/egress';
import { loadKey, secretBox } from '../relay/security/secrets';
import { newId } from '../relay/security/tokens';
import { insertChannel, type ChannelRecord } from '../relay/store/channels';
import { GroupCommit } from '../relay/store/group-commit';
import { createToken } from '../relay/store/tokens';
import { FROM, message, pool, setupRelay } from './relay-throughput';
import { Sink } from './sink-client';


export interface ScalingPoint {
  queued: number;
  delivered: number;
  workerMsPerMessage: number;
}

export async function measureOutboxScaling(depths = [1_000, 10_000, 100_000], deliver = 300): Promise<ScalingPoint[]> {
  const points: ScalingPoint[] = [];
  for (const queued of depths) {
    const smtp = await new TestSmtpServer().start();
    const relay = await startRelay({ autoWorker: false, env: { RELAY_LOG_LEVEL: 'silent' } });
    try {
      const token = await relay.createToken('rep@example.com');
      const channelId = await createChannel(relay, token, smtpChannel(smtp.port, { limits: { concurrency: 5 } }));
      const tokenRow = await relay.relay.db.selectFrom('tokens').select('id').where('email', '=', 'rep@example.com').executeTakeFirstOrThrow();
      const now = Date.now();
      for (let start = 0; start < queued; start += 5_000) {
        await relay.relay.db.transaction().execute(async (trx) => {
          for (let i = start; i < Math.min(queued, start + 5_000); i++) {
            const request = { channelId, from: 'rep@example.com', to: [`c${i}@customer.test`], subject: `Queued ${i}`, text: 'Hello' };
            await insertMessage(trx, {
              id: `msg_${randomUUID().replace(/-/g, '')}`,
              tokenId: tokenRow.id,
              channelId,
              idempotencyKey: `depth-${i}`,
              requestHash: String(i),
              request,
              messageId: `<${randomUUID()}@example.com>`,
              to: request.to,
              recipients: 1,
              sendAt: null,
              now: now + i,
            });
          }
        });
      }
      relay.relay.deps.notify(channelId, now);
      const started = performance.now();
      while (smtp.received.length < deliver) {
        await relay.relay.worker.tick();
        await relay.relay.worker.settle();
      }
      const ms = performance.now() - started;
      points.push({ queued, delivered: smtp.received.length, workerMsPerMessage: Math.round((ms / smtp.received.length) * 100) / 100 });
    } finally {
      await relay.stop();
      await smtp.stop();
    }
  }
  return points;
}

export interface ClaimFigures {
  queued: number;
  claimMsPerMessage: number;
  /** The worker's first claim: its full look at the queue, then a batch. */
  firstClaimMs: number;
  claimed: number;
  insertMsPerMessage: number;
}

export interface ClientFigures {
  clients: number;
  messages: number;
  msgsPerSec: number;
  acceptPerSec: number;
  apiP50Ms: number;
  apiP99Ms: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

export async function measureClaimCost(queued: number, { sample = 500, concurrency = 5 } = {}): Promise<ClaimFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-bench-outbox-'));
  const opened = await openSqlite(dir, { backgroundCheckpoints: true });
  try {
    const { db } = opened;
    const commits = new GroupCommit(db, opened.syncWal);
    const box = secretBox(loadKey(undefined, dir));
    const now = Date.now();
    const token = await createToken(db, FROM, false, now);
    const channelId = newId('ch');
    const channel: ChannelRecord = {
      id: channelId,
      name: 'Outbox bench',
      provider: 'smtp',
      host: '127.0.0.1',
      port: 2525,
      security: 'starttls',
      username: FROM,
      passwordEnc: box.seal('never used: nothing is sent', channelId),
      scope: 'personal',
      domains: [],
      ownerTokenId: token.id,
      ownerEmail: FROM,
      limits: { ...PRESET_LIMITS.smtp, concurrency },
      status: 'active',
      heldUntil: null,
      heldReason: null,
      createdAt: now,
      updatedAt: now,
    };
    await insertChannel(db, channel);

    // The queue: the same rows POST /v1/messages writes, in group-committed batches.
    const t0 = performance.now();
    const chunk = 2000;
    for (let start = 0; start < queued; start += chunk) {
      await Promise.all(
        Array.from({ length: Math.min(chunk, queued - start) }, (_, k) => {
          const i = start + k;
          const request = message(i, channelId);
          return commits.run((trx) =>
            insertMessage(trx, {
              id: newId('msg'),
              tokenId: token.id,
              channelId,
              idempotencyKey: `outbox-${i}`,
              requestHash: crypto.createHash('sha256').update(String(i)).digest('hex'),
              request,
              messageId: `<outbox-${i}@example.com>`,
              to: request.to,
              recipients: 1,
              sendAt: null,
              now: now + i, // distinct times: the queue has an order
            }),
          );
        }),
      );
    }
    const insertMsPerMessage = (performance.now() - t0) / queued;

    const transports = new TransportPool({ box, allow: new Allowlist(['127.0.0.1']), lookup: systemLookup, smtp: { ca: undefined, timeoutMs: 10_000 }, logger: createLogger('silent') });
    const worker = new DeliveryWorker({ db, commits, clock: systemClock, transports, logger: createLogger('silent'), maxAttempts: 5 });
    // Nothing is sent: claimDue only claims, so every call takes up to `concurrency` new messages.
    const f0 = performance.now();
    let claimed = (await worker.claimDue()).length;
    const firstClaimMs = performance.now() - f0;
    const c0 = performance.now();
    let steady = 0;
    while (steady < sample) {
      const n = (await worker.claimDue()).length;
      if (!n) throw new Error(`the worker claimed nothing with ${queued - claimed} messages queued`);
      steady += n;
    }
    claimed += steady;
    const claimMsPerMessage = (performance.now() - c0) / steady;
    return { queued, claimMsPerMessage, firstClaimMs, claimed, insertMsPerMessage };
  } finally {
    await opened.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function measureClients(clientCounts: number[], n: number): Promise<ClientFigures[]> {
  const sink = await Sink.start();
  const out: ClientFigures[] = [];
  try {
    for (const clients of clientCounts) {
      const { relay, token, channelId } = await setupRelay(sink, 5);
      try {
        const post = (i: number) => relay.post(token, '/v1/messages', message(i, channelId), { 'Idempotency-Key': `scale-${clients}-${i}` });
        await pool(200, clients, (i) => post(1_000_000 + i)); // warm-up
        await sink.waitFor(200);
        await sink.reset();
        const latencies: number[] = [];
        const t0 = performance.timeOrigin + performance.now();
        await pool(n, clients, async (i) => {
          const s = performance.now();
          const res = await post(i);
          latencies.push(performance.now() - s);
          if (res.status !== 202) throw new Error(`POST /v1/messages: ${res.status} ${res.body}`);
        });
        const acceptedAt = performance.timeOrigin + performance.now();
        const stats = await sink.waitFor(n);
        await sink.reset();
        latencies.sort((a, b) => a - b);
        out.push({
          clients,
          messages: n,
          msgsPerSec: n / ((stats.lastAt - t0) / 1000),
          acceptPerSec: n / ((acceptedAt - t0) / 1000),
          apiP50Ms: quantile(latencies, 0.5),
          apiP99Ms: quantile(latencies, 0.99),
        });
      } finally {
        await relay.stop();
      }
    }
  } finally {
    await sink.stop();
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const depths = (process.env.BENCH_DEPTHS ?? '1000,10000,100000').split(',').map(Number);
  const sample = Number(process.env.BENCH_CLAIM_SAMPLE ?? 500);
  const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
  const claim: ClaimFigures[] = [];
  for (const queued of depths) {
    const r = await measureClaimCost(queued, { sample: Math.min(sample, Math.floor(queued / 2)) });
    console.error(`outbox ${queued}: claim ${r.claimMsPerMessage.toFixed(3)} ms per message, first claim (full queue look) ${r.firstClaimMs.toFixed(1)} ms`);
    claim.push(r);
  }
  const delivery = await measureOutboxScaling(depths);
  const clients = await measureClients([1, 4, 16], Number(process.env.BENCH_SCALE_N ?? 1000));
  console.log(
    JSON.stringify(
      {
        claim: claim.map((c) => ({ queued: c.queued, claimMsPerMessage: round(c.claimMsPerMessage), firstClaimMs: round(c.firstClaimMs, 1), claimed: c.claimed, insertMsPerMessage: round(c.insertMsPerMessage) })),
        delivery,
        clients: clients.map((c) => ({ ...c, msgsPerSec: round(c.msgsPerSec, 1), acceptPerSec: round(c.acceptPerSec, 1), apiP50Ms: round(c.apiP50Ms, 2), apiP99Ms: round(c.apiP99Ms, 2) })),
      },
      null,
      2,
    ),
  );
}
