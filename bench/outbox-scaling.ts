/**
 * Outbox cost against queue depth (issue 10, item 5): N messages waiting in
 * the real SQLite outbox (inserted with the relay's own insertMessage, in
 * batches), then the real worker delivers the first M of them to a loopback
 * SMTP server. Worker time per delivered message (claim + send + record)
 * must stay flat from 1,000 to 100,000 queued: claims must not scan the queue.
 */
import { randomUUID } from 'node:crypto';
import { TestSmtpServer } from '../test/helpers/smtp-server';
import { createChannel, smtpChannel, startRelay } from '../test/helpers/relay';
import { insertMessage } from '../relay/store/messages';

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

if (import.meta.url === `file://${process.argv[1]}`) {
  const depths = (process.env.BENCH_DEPTHS ?? '1000,10000,100000').split(',').map(Number);
  console.log(JSON.stringify(await measureOutboxScaling(depths), null, 2));
}
