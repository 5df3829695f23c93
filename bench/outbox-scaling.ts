/**
 * Outbox cost against queue depth (issue 10, item 5): N messages waiting in
 * the real SQLite outbox (inserted with the relay's own insertMessage, in
 * batches), then the real worker delivers `deliver` of them to a loopback
 * SMTP server, `runs` times on the same queue.
 *
 * The worker is driven by hand: tick() (claim what may go now and start those
 * sends), then settle() (wait for the sends and their results). With nothing
 * in flight while tick() runs, its time is the claim path alone: the due-mail
 * look-up, the pacing check, the status change and the ledger reservation in
 * one transaction, and handing each claim to its send. Claim time per message
 * must stay flat from 1,000 to 100,000 queued: claims must not scan the queue.
 *
 * Each run starts the way a worker does after a restart or a channel change
 * (channelsChanged): its first pass makes the periodic full look at the queue
 * (every 10 s in a running relay). That pass is reported on its own
 * (fullScanTickMs) and left out of the per-message claim time, which would
 * otherwise charge a 10-second event to one second of sending.
 *
 *   BENCH_DEPTHS=1000,10000,100000 BENCH_RUNS=3 BENCH_OUTBOX_DELIVER=300 npx tsx bench/outbox-scaling.ts
 */
import { randomUUID } from 'node:crypto';
import { TestSmtpServer } from '../test/helpers/smtp-server';
import { createChannel, smtpChannel, startRelay } from '../test/helpers/relay';
import { claimRoom } from '../relay/delivery/worker';
import { insertMessage } from '../relay/store/messages';
import { canonicalJson } from '../relay/store/canonical-json';
import { body10k } from './relay-throughput';
import { figure, repeat, runsSetting, type Figure } from './stats';

/** The channel's connections. */
const CONNECTIONS = 5;
/** Most messages one pass claims (nothing in flight): a run delivers up to this many beyond `deliver`. */
export const PASS_MAX = claimRoom(CONNECTIONS, 0);

export interface OutboxRun {
  /** Claim path per claimed message, full-scan pass excluded (ms). */
  claimMsPerMessage: number;
  /** The run's first pass: the full look at the queue plus its claims (ms). */
  fullScanTickMs: number;
  /** Claim + send + record, per delivered message (ms): what the worker spends in all. */
  workerMsPerMessage: number;
  delivered: number;
}

export interface ScalingPoint {
  queued: number;
  bodyBytes: number;
  claimMsPerMessage: Figure;
  fullScanTickMs: Figure;
  workerMsPerMessage: Figure;
  deliveredPerRun: number;
}

async function oneRun(relay: Awaited<ReturnType<typeof startRelay>>, smtp: TestSmtpServer, deliver: number): Promise<OutboxRun> {
  const worker = relay.relay.worker;
  smtp.clear();
  worker.channelsChanged(); // the next pass rereads channels and makes the full look at the queue
  let claimMs = 0;
  let claimed = 0;
  let fullScanTickMs = Number.NaN;
  const started = performance.now();
  while (smtp.received.length < deliver) {
    const before = smtp.received.length;
    const t0 = performance.now();
    await worker.tick();
    const ms = performance.now() - t0;
    await worker.settle();
    // settle() waits for every message the pass claimed, not only those it started at once (tick()'s answer).
    const n = smtp.received.length - before;
    if (Number.isNaN(fullScanTickMs)) fullScanTickMs = ms;
    else {
      claimMs += ms;
      claimed += n;
    }
    if (n === 0) throw new Error(`the worker claimed nothing with ${deliver - smtp.received.length} still to deliver`);
  }
  const totalMs = performance.now() - started;
  const delivered = smtp.received.length;
  return { claimMsPerMessage: claimMs / claimed, fullScanTickMs, workerMsPerMessage: totalMs / delivered, delivered };
}

export async function measureOutboxScaling({ depths = [1_000, 10_000, 100_000], deliver = 300, runs = 3, bodyBytes = 10_000 } = {}): Promise<ScalingPoint[]> {
  const points: ScalingPoint[] = [];
  const text = body10k(0).repeat(Math.ceil(bodyBytes / 10_000)).slice(0, bodyBytes);
  for (const queued of depths) {
    if (queued < (deliver + PASS_MAX) * runs) throw new Error(`${queued} queued is too few for ${runs} runs of ${deliver} (each may deliver up to ${PASS_MAX} more)`);
    const smtp = await new TestSmtpServer().start();
    const relay = await startRelay({ autoWorker: false, env: { RELAY_LOG_LEVEL: 'silent' } });
    try {
      const token = await relay.createToken('rep@example.com');
      const channelId = await createChannel(relay, token, smtpChannel(smtp.port, { limits: { concurrency: CONNECTIONS } }));
      const tokenRow = await relay.relay.db.selectFrom('tokens').select('id').where('email', '=', 'rep@example.com').executeTakeFirstOrThrow();
      const now = Date.now();
      for (let start = 0; start < queued; start += 5_000) {
        await relay.relay.db.transaction().execute(async (trx) => {
          for (let i = start; i < Math.min(queued, start + 5_000); i++) {
            const request = { channelId, from: 'rep@example.com', to: [`c${i}@customer.test`], subject: `Queued ${i}`, text };
            await insertMessage(trx, {
              id: `msg_${randomUUID().replace(/-/g, '')}`,
              tokenId: tokenRow.id,
              channelId,
              idempotencyKey: `depth-${i}`,
              requestHash: String(i),
              request,
              content: canonicalJson(request),
              messageId: `<${randomUUID()}@example.com>`,
              to: request.to,
              recipients: 1,
              sendAt: null,
              now: now - queued + i, // all due, in order
            });
          }
        });
      }
      // The queue barely shrinks between runs (deliver × runs of `queued`), so each run sees the same depth.
      const all = await repeat(runs, () => oneRun(relay, smtp, deliver));
      points.push({
        queued,
        bodyBytes,
        claimMsPerMessage: figure(all.map((r) => r.claimMsPerMessage), 3),
        fullScanTickMs: figure(all.map((r) => r.fullScanTickMs)),
        workerMsPerMessage: figure(all.map((r) => r.workerMsPerMessage)),
        deliveredPerRun: deliver,
      });
    } finally {
      await relay.stop();
      await smtp.stop();
    }
  }
  return points;
}

/** Claim time per message at the deepest queue ÷ at the shallowest, from the medians (flat is ≈ 1). */
export function claimGrowth(points: ScalingPoint[]): number {
  return points.at(-1)!.claimMsPerMessage.median / points[0]!.claimMsPerMessage.median;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const depths = (process.env.BENCH_DEPTHS ?? '1000,10000,100000').split(',').map(Number);
  const points = await measureOutboxScaling({
    depths,
    runs: runsSetting({ flag: 'runs', env: 'BENCH_RUNS' }, 3),
    deliver: Number(process.env.BENCH_OUTBOX_DELIVER ?? 300),
    bodyBytes: Number(process.env.BENCH_OUTBOX_BODY_BYTES ?? 10_000),
  });
  console.log(JSON.stringify({ points, claimGrowth: claimGrowth(points) }, null, 2));
}
