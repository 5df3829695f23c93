import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Fault } from '../helpers/smtp-server';
import { SmtpServerProcess } from '../helpers/smtp-server-process';
import { createChannel, smtpChannel, startRelay } from '../helpers/relay';

/**
 * A storm of SMTP faults from a real SMTP server process while 600 messages,
 * posted over 45 seconds, go out over three channels: temporary and permanent replies at every
 * stage, connections cut inside DATA (message dropped or kept), answers
 * slower than the timeout, and the server killed and restarted (connection
 * refused). Retries are fast (200 ms backoff) so the storm is dense.
 * At the end every accepted message is sent or failed with the server's
 * reason, nothing is left half-way, the API's counts agree, every sent
 * message reached the server, and no message arrived more often than it was
 * attempted.
 */
const MESSAGES = Number(process.env.SOAK_FAULT_MESSAGES ?? 600);
/** Posting is spread over this long, so the storm lasts however fast the relay delivers. */
const SECONDS = Number(process.env.SOAK_FAULT_SECONDS ?? 45);

describe('SMTP fault storm', () => {
  it(`${MESSAGES} messages through a server that misbehaves every few hundred milliseconds`, async () => {
    const started = Date.now();
    let seed = Number(process.env.FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const firstSeed = seed;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const journal = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-storm-')), 'received.jsonl');
    const smtp = await SmtpServerProcess.start({ journal });
    const relay = await startRelay({ backoff: () => 200, env: { RELAY_SMTP_TIMEOUT_MS: '1000', RELAY_MAX_ATTEMPTS: '30', RELAY_LOG_LEVEL: 'warn' } });
    const injected: Record<string, number> = {};
    try {
      const token = await relay.createToken('rep@example.com');
      const channels = await Promise.all([1, 2, 3].map((n) => createChannel(relay, token, smtpChannel(smtp.port, { name: `Storm ${n}`, limits: { concurrency: 3 } }))));
      let posting = true;
      const storm = (async () => {
        const temporary: Fault[] = [
          { stage: 'connect', code: 421, message: '4.3.2 Service not available' },
          { stage: 'mail', code: 451, message: '4.7.1 Greylisted, try again' },
          { stage: 'mail', code: 432, message: '4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded' },
          { stage: 'rcpt', code: 452, message: '4.5.3 Too many recipients' },
          { stage: 'data', code: 451, message: '4.3.0 Temporary failure' },
        ];
        const permanent: Fault[] = [
          { stage: 'rcpt', code: 550, message: '5.1.1 User unknown' },
          { stage: 'data', code: 554, message: '5.7.1 Rejected as spam' },
        ];
        const count = (k: string) => (injected[k] = (injected[k] ?? 0) + 1);
        while (posting || (await relay.call(token, 'GET', '/v1/limits').then((r) => r.json() as Promise<{ limits: { queued: number }[] }>)).limits.some((l) => l.queued > 0)) {
          const roll = random();
          if (!smtp.running) {
            await smtp.restart();
          } else if (roll < 0.35) {
            const f = temporary[Math.floor(random() * temporary.length)]!;
            await smtp.fail({ ...f, times: 1 + Math.floor(random() * 3) });
            count(`${f.code} at ${f.stage}`);
          } else if (roll < 0.45) {
            const f = permanent[Math.floor(random() * permanent.length)]!;
            await smtp.fail(f);
            count(`${f.code} at ${f.stage}`);
          } else if (roll < 0.6) {
            const mode = random() < 0.5 ? 'discard' : 'keep';
            await smtp.dropInData(1 + Math.floor(random() * 2), mode);
            count(`cut in DATA (${mode})`);
          } else if (roll < 0.66) {
            await smtp.setDelay(2_200, random() < 0.5 ? ['data'] : ['connect']);
            await new Promise((r) => setTimeout(r, 300));
            await smtp.setDelay(0);
            count('slower than the timeout');
          } else if (roll < 0.7) {
            await smtp.kill();
            count('server killed (connection refused)');
            await new Promise((r) => setTimeout(r, 300 + random() * 700));
            await smtp.restart();
          }
          await new Promise((r) => setTimeout(r, 100 + random() * 300));
          if (Date.now() - started > 600_000) throw new Error('storm did not settle in 10 minutes');
        }
      })();
      const ids: { id: string; messageId: string }[] = [];
      for (let i = 0; i < MESSAGES; i++) {
        const res = await relay.call(token, 'POST', '/v1/messages', { channelId: channels[i % 3], from: 'rep@example.com', to: [`lead${i}@customer.test`], subject: `storm ${i}`, text: `message ${i}` }, { 'Idempotency-Key': `storm-${firstSeed}-${i}` });
        expect(res.status).toBe(202);
        ids.push((await res.json()) as { id: string; messageId: string });
        const due = started + ((i + 1) * SECONDS * 1000) / MESSAGES;
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      }
      posting = false;
      await storm;
      await smtp.setDelay(0);
      await new Promise((r) => setTimeout(r, 3_000)); // late copies of slow answers
      const arrived = smtp.journaled(); // across every kill and restart of the server

      const copies = new Map<string, number>();
      for (const r of arrived) copies.set(r.messageId, (copies.get(r.messageId) ?? 0) + 1);
      const views = await Promise.all(ids.map(async (m) => (await relay.call(token, 'GET', `/v1/messages/${m.id}`)).json() as Promise<{ status: string; attempts: number; lastError?: string; messageId: string }>));
      const by = (s: string) => views.filter((v) => v.status === s).length;
      const limits = ((await (await relay.call(token, 'GET', '/v1/limits')).json()) as { limits: { queued: number; sent: number; failed: number }[] }).limits;
      const known = new Set(ids.map((m) => m.messageId));
      const report = {
        seed: firstSeed,
        messages: MESSAGES,
        injected,
        sent: by('sent'),
        failed: by('failed'),
        copies: arrived.length,
        duplicates: [...copies.values()].filter((n) => n > 1).length,
        maxCopies: Math.max(0, ...copies.values()),
        failedButDelivered: views.filter((v) => v.status === 'failed' && copies.has(v.messageId)).length,
        maxAttempts: Math.max(...views.map((v) => v.attempts)),
        durationMs: Date.now() - started,
      };
      console.log(`[smtp-fault-storm] ${JSON.stringify(report)}`);
      fs.mkdirSync('test-results', { recursive: true });
      fs.writeFileSync('test-results/smtp-fault-storm.json', JSON.stringify(report, null, 2));

      expect(by('sent') + by('failed')).toBe(MESSAGES); // nothing left queued, retrying or sending
      expect(limits.reduce((s, l) => s + l.sent, 0)).toBe(by('sent'));
      expect(limits.reduce((s, l) => s + l.failed, 0)).toBe(by('failed'));
      expect(limits.reduce((s, l) => s + l.queued, 0)).toBe(0);
      for (const r of arrived) expect(known.has(r.messageId), `unknown message ${r.messageId}`).toBe(true);
      for (const v of views) {
        const n = copies.get(v.messageId) ?? 0;
        if (v.status === 'sent') expect(n, `${v.messageId} sent but not received`).toBeGreaterThanOrEqual(1);
        else expect(v.lastError, `${v.messageId} failed without a reason`).toMatch(/^(5\d\d |gave up after)/);
        // Only an attempt can leave a copy: a second one only after an attempt the relay could not confirm.
        expect(n, `${v.messageId}: ${n} copies in ${v.attempts} attempts`).toBeLessThanOrEqual(v.attempts);
      }
      expect(by('sent')).toBeGreaterThan(MESSAGES / 2);
    } finally {
      await relay.stop();
      await smtp.stop();
    }
  });
});
