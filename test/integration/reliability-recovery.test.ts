import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSmtpServer } from '../helpers/smtp-server';
import { createChannel, getMessage, smtpChannel, startRelay, type RunningRelay } from '../helpers/relay';
import { killHard, spawnRelay } from '../helpers/crash-run';

// After kill -9, a message that was inside its SMTP DATA exchange is the one
// most likely to be a duplicate already; it must go out again first, with its
// Message-ID, not wait behind everything queued after it.
describe('recovery after kill -9 keeps the queue order', () => {
  const smtp = new TestSmtpServer();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-recovery-'));
  let token: string;
  let channelId: string;
  let relay: RunningRelay | undefined;

  beforeAll(async () => {
    await smtp.start();
    const setup = await startRelay({ dataDir });
    token = await setup.createToken('rep@example.com');
    channelId = await createChannel(setup, token, smtpChannel(smtp.port, { limits: { concurrency: 1 } }));
    await setup.stop();
  });
  afterAll(async () => {
    await relay?.stop();
    await smtp.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('the send cut by the crash is retried before the backlog, with the same Message-ID, then the backlog in order', async () => {
    smtp.setDelay(10_000, ['data']); // the server has the message; its 250 is late
    const live = await spawnRelay(dataDir);
    const post = async (subject: string) => {
      const res = await fetch(`${live.url}/v1/messages`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': `recovery-${subject.replaceAll(' ', '-')}` },
        body: JSON.stringify({ channelId, from: 'rep@example.com', to: ['lead@customer.test'], subject, text: 'x' }),
      });
      const body = (await res.json()) as { id: string; messageId: string };
      expect(res.status, JSON.stringify(body)).toBe(202);
      return body;
    };
    const cut = await post('in DATA at the crash');
    await smtp.waitFor(1);
    const backlog = [await post('backlog 1'), await post('backlog 2'), await post('backlog 3')];
    await killHard(live.child);
    smtp.setDelay(0);

    relay = await startRelay({ dataDir, autoWorker: false }); // recover() runs; the worker is driven by hand
    expect(await getMessage(relay, token, cut.id)).toMatchObject({ status: 'retrying', lastError: expect.stringMatching(/relay restarted/) });
    // One connection: the first claim is the cut send (the worker may queue one more behind it).
    expect(await relay.relay.worker.tick()).toBeGreaterThanOrEqual(1);
    expect((await getMessage(relay, token, cut.id)).status).toBe('sending');
    expect((await getMessage(relay, token, backlog[2]!.id)).status).toBe('queued');
    for (let i = 0; i < 4; i++) {
      await relay.relay.worker.settle();
      await relay.relay.worker.tick();
    }
    await relay.relay.worker.settle();
    for (const m of [cut, ...backlog]) expect((await getMessage(relay, token, m.id)).status).toBe('sent');
    // Cut inside DATA: two copies with one Message-ID; then the backlog in the order it was accepted, once each.
    expect(smtp.received.map((r) => r.parsed.messageId)).toEqual([cut.messageId, cut.messageId, ...backlog.map((b) => b.messageId)]);
  });
});
