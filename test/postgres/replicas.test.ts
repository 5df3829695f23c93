import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../../shared/limits';
import { openPostgres, type RelayDatabase } from '../../relay/db';
import { projectDatabase } from '../helpers/postgres';
import { createToken } from '../../relay/store/tokens';
import { TEST_CA_FILE } from '../helpers/relay';
import { SmtpServerProcess, type ReceivedSummary } from '../helpers/smtp-server-process';
import { freePort } from '../helpers/free-port';

/**
 * Issue 11: three relay processes on one PostgreSQL database share one queue.
 * 3,000 messages on a domain channel and 120 on an Office 365-style channel
 * (30 per minute, 3 connections) are posted round-robin to the replicas; one
 * replica is killed with SIGKILL while mail is flowing. Checked at a real SMTP
 * server process: every accepted message arrives, a second copy only for a
 * send the kill cut (same Message-ID), the surviving replicas took over the
 * dead one's work, and no sliding minute ever holds more than 30 of the
 * Office 365-style channel's messages — counted in the server's arrival times.
 */
const DOMAIN_MESSAGES = 3000;
const PACED_MESSAGES = 120;
/** The replicas' shared clock runs this much faster than real time: 4 paced minutes take 12 s. */
const RATE = 20;
const SECRET = 'replica test secret, same for every relay';

interface Replica {
  child: ChildProcess;
  url: string;
  id: string;
  out: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startReplica(databaseUrl: string, t0: number): Promise<Replica> {
  const port = await freePort();
  const out: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/relay-replica-main.ts'], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      RELAY_SECRET: SECRET,
      RELAY_PORT: String(port),
      RELAY_SMTP_ALLOWLIST: '127.0.0.1',
      RELAY_SMTP_CA_FILE: TEST_CA_FILE,
      RELAY_LOG_LEVEL: 'info',
      SENDWAY_TEST_CLOCK: `${t0}:${RATE}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffered = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    out.push(...lines);
  });
  child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const line = out.find((l) => l.includes('replica_listening'));
    if (line) {
      const { url, replica } = JSON.parse(line) as { url: string; replica: string };
      return { child, url, id: replica, out };
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`replica did not start: ${out.join('\n')}`);
    await sleep(50);
  }
}

/** The most sends inside any sliding minute of `times` (ms on the replicas' clock). */
function maxPerSlidingMinute(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let head = 0;
  let max = 0;
  sorted.forEach((t, i) => {
    while (t - sorted[head]! >= MINUTE_MS) head++;
    max = Math.max(max, i - head + 1);
  });
  return max;
}

describe('three relays on one PostgreSQL database', () => {
  let store: RelayDatabase;
  let smtp: SmtpServerProcess;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    const url = await projectDatabase('replicas');
    store = await openPostgres(url);
    smtp = await SmtpServerProcess.start();
    const t0 = Date.now();
    // All three at once: they race to migrate the new database (one does, under an advisory lock).
    replicas.push(...(await Promise.all([0, 1, 2].map(() => startReplica(url, t0)))));
  }, 90_000);

  afterAll(async () => {
    for (const r of replicas) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    await smtp?.stop();
    await store?.close();
  });

  it('deliver every message, exactly once unless a kill cut its send, within the channel limits, while one is killed', async () => {
    const team = await createToken(store.db, 'sales@example.com', false, Date.now());
    const rep = await createToken(store.db, 'rep@example.com', false, Date.now());
    const call = async (i: number, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      // Like the extension behind a load balancer: a request a dead replica cannot answer goes to the next one.
      for (let attempt = 0; ; attempt++) {
        const r = replicas[(i + attempt) % replicas.length]!;
        if (r.child.exitCode !== null || r.child.signalCode !== null) continue;
        try {
          return await fetch(r.url + path, {
            method,
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
        } catch (error) {
          if (attempt > 10) throw error;
        }
      }
    };
    const channel = async (token: string, body: Record<string, unknown>) => {
      const res = await call(0, token, 'POST', '/v1/channels', body);
      expect(res.status, await res.clone().text()).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    const smtpBody = { provider: 'smtp', host: '127.0.0.1', port: smtp.port, security: 'starttls', username: 'rep@example.com', password: 'correct horse' };
    const domainChannel = await channel(team.token, { ...smtpBody, name: 'Team domain', scope: 'domain', domains: ['example.com'], limits: { concurrency: 6 } });
    const pacedChannel = await channel(rep.token, { ...smtpBody, name: 'Office 365-style', scope: 'personal', limits: { perMinute: 30, concurrency: 3 } });

    const accepted = new Map<string, string>(); // Message-ID → channel
    const post = async (i: number) => {
      const paced = i >= DOMAIN_MESSAGES;
      const body = paced
        ? { channelId: pacedChannel, from: 'rep@example.com', to: [`contact${i}@customer.test`], subject: `Step 1 for ${i}`, text: `Hello ${i}\n` }
        : { channelId: domainChannel, from: `sales${i % 7}@example.com`, to: [`lead${i}@customer.test`], subject: `Offer ${i}`, text: `Hello ${i}\n`.repeat(20) };
      for (;;) {
        const res = await call(i, paced ? rep.token : team.token, 'POST', '/v1/messages', body, { 'Idempotency-Key': `replicas-${i}` });
        if (res.status === 202) {
          accepted.set(((await res.json()) as { messageId: string }).messageId, paced ? pacedChannel : domainChannel);
          return;
        }
        throw new Error(`POST ${i}: ${res.status} ${await res.text()}`);
      }
    };
    // The paced messages go first: their four minutes run while the domain channel's mail flows.
    const startedAt = Date.now();
    const order = [...Array.from({ length: PACED_MESSAGES }, (_, k) => DOMAIN_MESSAGES + k), ...Array.from({ length: DOMAIN_MESSAGES }, (_, k) => k)];
    let next = 0;
    const posting = Promise.all(
      Array.from({ length: 24 }, async () => {
        while (next < order.length) await post(order[next++]!);
      }),
    );

    // Kill one replica once a sixth of the mail has arrived (while posting goes on): posts to it move to the others, its claims come back when their lease runs out.
    const victim = replicas[1]!;
    for (;;) {
      const { total } = await smtp.received(Number.MAX_SAFE_INTEGER);
      if (total >= 500) break;
      await sleep(20);
    }
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await posting;
    const postedAt = Date.now();
    const total = DOMAIN_MESSAGES + PACED_MESSAGES;
    expect(accepted.size).toBe(total);

    let received: ReceivedSummary[] = [];
    const deadline = Date.now() + 120_000;
    for (;;) {
      // The count is cheap to ask for; the summaries only once they can all be there. Done when every message
      // arrived and the relays have nothing left to send (a dead relay's claims are sent again once their lease runs out).
      if ((await smtp.received(Number.MAX_SAFE_INTEGER)).total >= total) {
        received = (await smtp.received(0)).received;
        const unsent = await store.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '!=', 'sent').executeTakeFirstOrThrow();
        if (new Set(received.map((r) => r.messageId)).size >= total && Number(unsent.n) === 0) break;
      }
      if (Date.now() > deadline) break;
      await sleep(200);
    }
    const deliveredAt = Date.now();
    const copies = new Map<string, number>();
    for (const r of received) copies.set(r.messageId, (copies.get(r.messageId) ?? 0) + 1);
    const missing = [...accepted.keys()].filter((id) => !copies.has(id));
    expect(missing, 'accepted but never delivered').toEqual([]);
    expect([...copies.keys()].filter((id) => !accepted.has(id)), 'delivered but never accepted').toEqual([]);

    // Second copies only where the kill cut a send: the message was claimed by the dead replica, went back
    // to the queue when its lease ran out, and was sent again with the same Message-ID.
    const rows = await store.db.selectFrom('messages').select(['message_id', 'status', 'attempts', 'last_error']).execute();
    expect(rows.filter((r) => r.status !== 'sent').map((r) => `${r.message_id} ${r.status} ${r.last_error}`)).toEqual([]);
    const retakenIds = new Set(rows.filter((r) => r.attempts > 1).map((r) => r.message_id));
    const duplicates = [...copies].filter(([, n]) => n > 1);
    for (const [id, n] of duplicates) {
      expect(n, id).toBe(2);
      expect(retakenIds.has(id), `${id} arrived twice without having been taken back from the killed relay`).toBe(true);
    }
    // At most the dead replica's connections could have been cut mid-send.
    expect(duplicates.length).toBeLessThanOrEqual(6 + 3);
    const recovered = replicas.filter((r) => r !== victim).flatMap((r) => r.out.filter((l) => l.includes('"recovered_in_flight"')));
    if (retakenIds.size) expect(recovered.length, 'a surviving relay took the dead one\'s claims back').toBeGreaterThan(0);

    // The work was shared: each surviving replica sent a good part of the domain channel's mail itself.
    const sentBy = replicas.map((r) => r.out.filter((l) => l.includes('"message_sent"')).length);
    for (const r of replicas.filter((x) => x !== victim)) expect(sentBy[replicas.indexOf(r)]!, `replica ${r.id} sent ${sentBy}`).toBeGreaterThan(300);
    expect(sentBy.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(total - duplicates.length);

    // Together the replicas never exceeded 30 per sliding minute on the paced channel, at the server, on the replicas' clock.
    // Arrival times scaled to the replicas' clock (only differences matter for a sliding window).
    const pacedArrivals = received.filter((r) => accepted.get(r.messageId) === pacedChannel).map((r) => r.at * RATE);
    expect(pacedArrivals.length).toBeGreaterThanOrEqual(PACED_MESSAGES);
    if (maxPerSlidingMinute(pacedArrivals) > 30 && process.env.REPLICA_DEBUG) {
      const ledger = await store.db.selectFrom('ledger').innerJoin('messages', 'messages.id', 'ledger.message_id').select(['ledger.at', 'messages.message_id', 'messages.attempts', 'messages.sent_at', 'messages.claimed_by']).where('ledger.channel_id', '=', pacedChannel).orderBy('ledger.at').execute();
      const t0 = Math.min(...pacedArrivals);
      const arr = received.filter((r) => accepted.get(r.messageId) === pacedChannel).map((r) => ({ id: r.messageId, t: ((r.at * RATE - t0) / 1000).toFixed(1) })).sort((a, b) => Number(a.t) - Number(b.t));
      const ledgerStart = Math.min(...ledger.map((l) => l.at));
      console.log(JSON.stringify({ arr: arr.map((a) => `${a.t}:${a.id.slice(1, 9)}`), ledger: ledger.map((l) => `${((l.at - ledgerStart) / 1000).toFixed(1)}:${l.message_id.slice(1, 9)}:${l.attempts}:${l.sent_at ? ((l.sent_at - ledgerStart) / 1000).toFixed(1) : '-'}`) }));
    }
    expect(maxPerSlidingMinute(pacedArrivals)).toBeLessThanOrEqual(30);
    // The limit really held them back: 120 at 30 per minute cannot all arrive within three minutes of the first.
    const span = (Math.max(...pacedArrivals) - Math.min(...pacedArrivals)) / MINUTE_MS;
    expect(span).toBeGreaterThanOrEqual(3);
    console.log(
      `replicas: ${total} accepted, ${copies.size} delivered, ${duplicates.length} second copies (kill cut their send), sent per replica ${sentBy.join('/')}, ` +
        `paced channel max ${maxPerSlidingMinute(pacedArrivals)} per sliding minute over ${span.toFixed(2)} min; ` +
        `killed after ${((killedAt - startedAt) / 1000).toFixed(1)} s, all posted after ${((postedAt - startedAt) / 1000).toFixed(1)} s, all delivered after ${((deliveredAt - startedAt) / 1000).toFixed(1)} s`,
    );
  }, 240_000);
});
