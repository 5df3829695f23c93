import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSmtpServer } from '../helpers/smtp-server';
import { TEST_CA_FILE, createChannel, smtpChannel, startRelay, waitForStatus, type RunningRelay } from '../helpers/relay';
import { freePort } from '../helpers/free-port';

const PASSWORD = 'correct horse';

/** The real relay process (npm run relay's entry), so it can be killed -9 or sent SIGTERM. */
async function spawnRelay(dataDir: string, out: string[]): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'relay/main.ts'], {
    env: {
      PATH: process.env.PATH,
      RELAY_DATA_DIR: dataDir,
      RELAY_PORT: String(port),
      RELAY_SMTP_ALLOWLIST: '127.0.0.1',
      RELAY_SMTP_CA_FILE: TEST_CA_FILE,
      RELAY_LOG_LEVEL: 'debug',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const mine: string[] = [];
  const keep = (d: Buffer) => {
    mine.push(d.toString());
    out.push(d.toString());
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const deadline = Date.now() + 20_000;
  while (!mine.join('').includes('listening on')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`relay did not start: ${mine.join('')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, url: `http://127.0.0.1:${port}` };
}

const exited = (child: ChildProcess) => new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code))));

// A 202 means the message is on disk: a relay killed -9 mid-delivery sends it
// after restart with the same Message-ID; SIGTERM finishes in-flight mail.
describe('relay restart recovery', () => {
  const smtp = new TestSmtpServer();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-restart-'));
  const childOut: string[] = [];
  let token: string;
  let channelId: string;
  let relay: RunningRelay | undefined;

  beforeAll(async () => {
    await smtp.start();
    const setup = await startRelay({ dataDir });
    token = await setup.createToken('rep@example.com');
    channelId = await createChannel(setup, token, smtpChannel(smtp.port));
    childOut.push(...setup.logs);
    await setup.stop();
  });
  afterAll(async () => {
    await relay?.stop();
    await smtp.stop();
  });

  const post = (url: string, subject: string, key: string) =>
    fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
      body: JSON.stringify({ channelId, from: 'rep@example.com', to: ['lead@customer.test'], subject, text: 'body' }),
    });

  it('kill -9 inside the SMTP DATA exchange: after restart the message goes out again with the same Message-ID', async () => {
    smtp.clear();
    smtp.setDelay(3_000); // the server has the message but has not said 250 yet
    const { child, url } = await spawnRelay(dataDir, childOut);
    const res = await post(url, 'cut in DATA', 'crash-1');
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { id: string; messageId: string };
    await smtp.waitFor(1);
    child.kill('SIGKILL');
    await exited(child);
    smtp.setDelay(0);

    relay = await startRelay({ dataDir });
    const m = await waitForStatus(relay, token, accepted.id, ['sent']);
    expect(m.attempts).toBe(2);
    expect(m.messageId).toBe(accepted.messageId);
    const got = await smtp.waitFor(2);
    // Cut inside DATA: at most twice, and both copies carry the same Message-ID so the recipient's client dedupes.
    expect(got.map((r) => r.parsed.messageId)).toEqual([accepted.messageId, accepted.messageId]);
    childOut.push(...relay.logs);
    await relay.stop();
    relay = undefined;
  });

  it('kill -9 right after 202s: every accepted message is delivered after restart, none lost, none more than twice', async () => {
    smtp.clear();
    const { child, url } = await spawnRelay(dataDir, childOut);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await post(url, `batch ${i}`, `crash-batch-${i}`);
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { id: string }).id);
    }
    child.kill('SIGKILL');
    await exited(child);
    relay = await startRelay({ dataDir });
    for (const id of ids) await waitForStatus(relay, token, id, ['sent']);
    const subjects = smtp.received.map((r) => r.parsed.subject).filter((s) => s?.startsWith('batch '));
    // Each at most twice (only a send cut inside DATA may repeat), every one at least once.
    for (let i = 0; i < 20; i++) expect(subjects.filter((s) => s === `batch ${i}`).length).toBeGreaterThanOrEqual(1);
    const byId = new Map<string, number>();
    for (const r of smtp.received) byId.set(r.parsed.messageId!, (byId.get(r.parsed.messageId!) ?? 0) + 1);
    expect(Math.max(...byId.values())).toBeLessThanOrEqual(2);
    childOut.push(...relay.logs);
    await relay.stop();
    relay = undefined;
  });

  it('SIGTERM lets an in-flight send finish and exits cleanly', async () => {
    smtp.clear();
    smtp.setDelay(1_000);
    const { child, url } = await spawnRelay(dataDir, childOut);
    const res = await post(url, 'graceful', 'graceful-1');
    const accepted = (await res.json()) as { id: string };
    await smtp.waitFor(1);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    smtp.setDelay(0);
    relay = await startRelay({ dataDir });
    const m = await waitForStatus(relay, token, accepted.id, ['sent', 'retrying', 'queued']);
    expect(m.status).toBe('sent');
    expect(m.attempts).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.received.filter((r) => r.parsed.subject === 'graceful')).toHaveLength(1);
    childOut.push(...relay.logs);
    await relay.stop();
    relay = undefined;
  });

  it('neither the database files nor the logs contain the SMTP password or a token in clear', async () => {
    const files = fs.readdirSync(dataDir).filter((f) => f.startsWith('relay.sqlite'));
    expect(files).toContain('relay.sqlite');
    for (const f of files) {
      const bytes = fs.readFileSync(path.join(dataDir, f));
      expect(bytes.includes(Buffer.from(PASSWORD)), f).toBe(false);
      expect(bytes.includes(Buffer.from(token)), f).toBe(false);
      expect(bytes.includes(Buffer.from(token.slice(4))), f).toBe(false);
    }
    const logs = childOut.join('\n');
    expect(logs.length).toBeGreaterThan(100);
    expect(logs).not.toContain(PASSWORD);
    expect(logs).not.toContain(token.slice(4));
    expect((fs.statSync(path.join(dataDir, 'secret.key')).mode & 0o777).toString(8)).toBe('600');
  });
});
