/**
 * Relay throughput: messages posted to a real relay process and delivered to
 * the SMTP sink, from the first POST to the sink's last 250 — next to
 * nodemailer's pooled transport sending the same messages straight to the same
 * sink, in the same run, with the same pool settings (connections, messages per
 * connection), the two sides' timed stretches interleaved (measureThroughput).
 */
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { SINK_PASS, SINK_USER, Sink, type SinkStats } from './sink-client';
import { RelayProcess } from './relay-process';
import { median } from './stats';

export const FROM = SINK_USER;
const CA = () => fs.readFileSync(path.resolve('test/fixtures/tls/cert.pem'), 'utf8');

export function body10k(i: number): string {
  const line = `Message ${i}: the quick brown fox jumps over the lazy dog, again and again.\n`;
  return line.repeat(Math.ceil(10_000 / line.length)).slice(0, 10_000);
}

export function message(i: number, channelId: string) {
  return { channelId, from: FROM, to: [`lead${i}@customer.test`], subject: `Bench ${i}`, text: body10k(i) };
}

/** The same message as nodemailer options, for the direct side. */
function directMessage(i: number) {
  const { channelId: _channel, ...mail } = message(i, '');
  return mail;
}

/** Runs `jobs` with at most `limit` in flight. */
export async function pool<T>(count: number, limit: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await job(i);
      }
    }),
  );
  return results;
}

export async function setupRelay(sink: Sink, concurrency: number) {
  const relay = await RelayProcess.start();
  const token = relay.token(FROM);
  const res = await relay.call(token, 'POST', '/v1/channels', {
    name: 'Bench sink',
    provider: 'smtp',
    host: '127.0.0.1',
    port: sink.port,
    security: 'starttls',
    username: SINK_USER,
    password: SINK_PASS,
    scope: 'personal',
    limits: { concurrency },
  });
  if (res.status !== 201) throw new Error(`channel create: ${res.status} ${await res.text()}`);
  const channel = (await res.json()) as { id: string };
  return { relay, token, channelId: channel.id };
}

export async function postMessages(relay: RelayProcess, token: string, channelId: string, n: number, inFlight: number, offset: number) {
  await pool(n, inFlight, async (i) => {
    const res = await relay.post(token, '/v1/messages', message(offset + i, channelId), { 'Idempotency-Key': `bench-${offset + i}` });
    if (res.status !== 202) throw new Error(`POST /v1/messages: ${res.status} ${res.body}`);
  });
}

export interface ThroughputFigures {
  relayMsgsPerSec: number;
  directMsgsPerSec: number;
  relayVsDirectRatio: number;
  /** Median over runs of each run's peak (a fresh relay process each run). */
  relayPeakRssBytes: number;
  duplicates: number;
  /**
   * CPU per message (ms, medians over runs): the relay process; the benchmark process in the direct
   * run (nodemailer composing and sending); the sink during each. Says where the time goes.
   */
  cpuMsPerMessage: { relay: number; relayClient: number; relaySink: number; direct: number; directSink: number };
}

type Run = {
  relay: number;
  direct: number;
  ratio: number;
  /** How fast the relay answered the POSTs with 202 (delivery may still be going on). */
  relayAcceptPerSec: number;
  /** Relay CPU per message delivered after the last POST was answered (NaN if too few were left). */
  relayDeliveryOnlyCpuMsPerMsg: number;
  /** Peak resident set size of this run's relay process. */
  rssBytes: number;
  cpu: ThroughputFigures['cpuMsPerMessage'];
};
const clientCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const wallMs = () => performance.timeOrigin + performance.now();

/**
 * Both sides are measured warm: a relay runs for days, so what counts is its steady state, not V8
 * compiling its code. Each run starts a fresh relay process, while the direct side's nodemailer and
 * the sink live on in their processes from run to run and so were warmer than the relay. Measured
 * (relay CPU per message, all its threads; 3,000 measured messages): about 2.3 ms after 1,000 or
 * 3,000 warm-up messages, 1.65 after 6,000, 1.57 after 10,000 — V8 was still optimising both the
 * relay's threads well past 3,000 (--no-concurrent-recompilation showed it), and the sink's CPU per
 * message fell with it. Each side gets the same warm-up.
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 10_000);

/** One timed stretch of one side: `n` messages from the first send to the sink's last 250. */
type Segment = { n: number; ms: number; cpuMs: number; sinkCpuMs: number; clientCpuMs: number; duplicates: number };
/**
 * A relay stretch also says how long the POSTs took to be answered, and the relay's CPU for the
 * messages it delivered after the last answer (none when fewer than 100 were left).
 */
type RelaySegment = Segment & { acceptMs: number; tailN: number; tailCpuMs: number };

/**
 * Each run measures the relay and the direct pool twice each, in the order relay, direct, direct,
 * relay, `n` messages every time, both sides already warm. The machine is shared and its load
 * drifts: measured one after the other, the two sides of a run saw different loads (direct alone
 * ranged 591–1,075 msg/s within one five-run bench). Interleaved symmetrically, a steady drift
 * weighs on both sides alike, and each side's rate is its 2n messages over its two stretches' time.
 */
export async function measureThroughput({ n = 2000, runs = 3, inFlight = 32, concurrency = 5, warmup = WARMUP } = {}): Promise<ThroughputFigures & { runs: Run[] }> {
  const sink = await Sink.start();
  const all: Run[] = [];
  let duplicates = 0;
  let offset = 0;
  try {
    for (let run = 0; run < runs; run++) {
      // Relay: a fresh process and database each run. Direct: nodemailer's pool to the same sink.
      const { relay, token, channelId } = await setupRelay(sink, concurrency);
      const transport = nodemailer.createTransport({
        pool: true,
        maxConnections: concurrency,
        // The relay's pool settings for a channel (delivery/transports.ts), nodemailer's default.
        maxMessages: 100,
        host: '127.0.0.1',
        port: sink.port,
        requireTLS: true,
        tls: { ca: CA(), servername: 'localhost' },
        auth: { user: SINK_USER, pass: SINK_PASS },
      });
      try {
        await postMessages(relay, token, channelId, warmup, inFlight, 1_000_000); // warm-up
        await sink.waitFor(warmup);
        await sink.reset();
        await pool(warmup, inFlight, (i) => transport.sendMail(directMessage(1_000_000 + i)));
        await sink.waitFor(warmup);
        await sink.reset();

        // BENCH_VERBOSE: where the relay's time and writes go, per message — each thread's CPU (main,
        // the SMTP thread, V8's helpers, the checkpointer), and bytes and write calls to sockets and files.
        const threads0 = relay.threadCpuMs();
        const io0 = relay.io();
        const relaySegment = async (): Promise<RelaySegment> => {
          const [cpu0, client0, sink0] = [relay.cpuMs(), clientCpuMs(), (await sink.stats()).cpuMs];
          const t0 = wallMs();
          await postMessages(relay, token, channelId, n, inFlight, offset);
          offset += n;
          const acceptMs = wallMs() - t0;
          const [tailCpu0, tailCount0] = [relay.cpuMs(), (await sink.stats()).count];
          const stats = await sink.waitFor(n);
          // Once every POST is answered, the relay only delivers: its CPU per message then.
          const tail = n > tailCount0 + 100 ? { tailN: n - tailCount0, tailCpuMs: relay.cpuMs() - tailCpu0 } : { tailN: 0, tailCpuMs: 0 };
          await sink.reset();
          const cpu = { cpuMs: relay.cpuMs() - cpu0, sinkCpuMs: stats.cpuMs - sink0, clientCpuMs: clientCpuMs() - client0 };
          return { n, ms: stats.lastAt - t0, ...cpu, duplicates: stats.duplicates, acceptMs, ...tail };
        };
        const directSegment = async (): Promise<Segment> => {
          const [client0, sink0] = [clientCpuMs(), (await sink.stats()).cpuMs];
          const t0 = wallMs();
          const first = offset;
          await pool(n, inFlight, (i) => transport.sendMail(directMessage(first + i)));
          offset += n;
          const stats = await sink.waitFor(n);
          await sink.reset();
          const cpuMs = clientCpuMs() - client0;
          return { n, ms: stats.lastAt - t0, cpuMs, sinkCpuMs: stats.cpuMs - sink0, clientCpuMs: cpuMs, duplicates: stats.duplicates };
        };
        const r1 = await relaySegment();
        const d1 = await directSegment();
        const d2 = await directSegment();
        const r2 = await relaySegment();
        const rssBytes = relay.peakRss();
        const io1 = relay.io();
        const threads1 = relay.threadCpuMs();

        const sum = <S extends Segment>(segs: S[], k: keyof S & string) => segs.reduce((a, s) => a + (s[k] as number), 0);
        const rs = [r1, r2];
        const ds = [d1, d2];
        const relayRate = sum(rs, 'n') / (sum(rs, 'ms') / 1000);
        const directRate = sum(ds, 'n') / (sum(ds, 'ms') / 1000);
        duplicates += sum(rs, 'duplicates');
        all.push({
          relay: relayRate,
          direct: directRate,
          ratio: relayRate / directRate,
          relayAcceptPerSec: sum(rs, 'n') / (sum(rs, 'acceptMs') / 1000),
          relayDeliveryOnlyCpuMsPerMsg: sum(rs, 'tailN') ? sum(rs, 'tailCpuMs') / sum(rs, 'tailN') : NaN,
          rssBytes,
          cpu: {
            relay: sum(rs, 'cpuMs') / sum(rs, 'n'),
            relayClient: sum(rs, 'clientCpuMs') / sum(rs, 'n'),
            relaySink: sum(rs, 'sinkCpuMs') / sum(rs, 'n'),
            direct: sum(ds, 'cpuMs') / sum(ds, 'n'),
            directSink: sum(ds, 'sinkCpuMs') / sum(ds, 'n'),
          },
        });
        if (process.env.BENCH_VERBOSE) {
          const m = sum(rs, 'n');
          const perMsg = (x: number, digits: number) => +(x / m).toFixed(digits);
          // Thread CPU over the run's timed stretches and the direct ones between them (the relay idles then).
          const threads = [...threads1].map(([tid, ms]) => [tid, perMsg(ms - (threads0.get(tid) ?? 0), 3)] as const).filter(([, v]) => v > 0);
          console.error(JSON.stringify(all.at(-1)));
          console.error(JSON.stringify({
            segmentsMsgsPerSec: { relay: rs.map((s) => Math.round(s.n / (s.ms / 1000))), direct: ds.map((s) => Math.round(s.n / (s.ms / 1000))) },
            relayThreadsCpuMsPerMsg: Object.fromEntries(threads),
            relayIoPerMsg: { wcharKB: perMsg((io1.wchar - io0.wchar) / 1024, 1), syscw: perMsg(io1.syscw - io0.syscw, 1), diskKB: perMsg((io1.writeBytes - io0.writeBytes) / 1024, 1) },
          }));
        }
      } finally {
        transport.close();
        await relay.stop();
      }
    }
  } finally {
    await sink.stop();
  }
  const relayMsgsPerSec = median(all.map((r) => r.relay));
  const directMsgsPerSec = median(all.map((r) => r.direct));
  return {
    relayMsgsPerSec,
    directMsgsPerSec,
    // Each run measures both side by side; the median of those paired ratios is steadier on a shared machine than a ratio of medians.
    relayVsDirectRatio: median(all.map((r) => r.ratio)),
    relayPeakRssBytes: median(all.map((r) => r.rssBytes)),
    duplicates,
    cpuMsPerMessage: {
      relay: median(all.map((r) => r.cpu.relay)),
      relayClient: median(all.map((r) => r.cpu.relayClient)),
      relaySink: median(all.map((r) => r.cpu.relaySink)),
      direct: median(all.map((r) => r.cpu.direct)),
      directSink: median(all.map((r) => r.cpu.directSink)),
    },
    runs: all,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.env.BENCH_N ?? 2000);
  console.log(JSON.stringify(await measureThroughput({ n, runs: Number(process.env.BENCH_RUNS ?? 3) }), null, 2));
}
