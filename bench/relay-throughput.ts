/**
 * Relay throughput: N messages posted to a real relay process and delivered
 * to the SMTP sink, from the first POST to the sink's last 250 — next to
 * nodemailer's pooled transport sending the same messages straight to the same
 * sink, in the same run, with the same pool settings (connections, messages per
 * connection).
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

export async function measureThroughput({ n = 2000, runs = 3, inFlight = 32, concurrency = 5, warmup = WARMUP } = {}): Promise<ThroughputFigures & { runs: Run[] }> {
  const sink = await Sink.start();
  const all: Run[] = [];
  let duplicates = 0;
  try {
    for (let run = 0; run < runs; run++) {
      // Relay: fresh process and database each run.
      const { relay, token, channelId } = await setupRelay(sink, concurrency);
      await postMessages(relay, token, channelId, warmup, inFlight, 1_000_000); // warm-up
      await sink.waitFor(warmup);
      await sink.reset();
      const [relayCpu0, clientCpu0, sinkCpu0] = [relay.cpuMs(), clientCpuMs(), (await sink.stats()).cpuMs];
      const threads0 = relay.threadCpuMs();
      const io0 = relay.io();
      const t0 = performance.timeOrigin + performance.now();
      await postMessages(relay, token, channelId, n, inFlight, run * n);
      const acceptedAt = performance.timeOrigin + performance.now();
      const [tailCpu0, tailCount0] = [relay.cpuMs(), (await sink.stats()).count];
      const relayStats: SinkStats = await sink.waitFor(n);
      // Once every POST is answered, the relay only delivers: its CPU per message then.
      const relayDeliveryCpu = n > tailCount0 + 100 ? (relay.cpuMs() - tailCpu0) / (n - tailCount0) : NaN;
      const relayCpu = (relay.cpuMs() - relayCpu0) / n;
      const relayClientCpu = (clientCpuMs() - clientCpu0) / n;
      const relaySinkCpu = (relayStats.cpuMs - sinkCpu0) / n;
      const rssBytes = relay.peakRss();
      const io1 = relay.io();
      // Where the relay's time and writes go, per message (printed with BENCH_VERBOSE): each thread's CPU
      // (main, the SMTP thread, V8's helpers, the checkpointer), and bytes and write calls to sockets and files.
      const perMsg = (x: number, digits: number) => +(x / n).toFixed(digits);
      const ioPerMsg = { wcharKB: perMsg((io1.wchar - io0.wchar) / 1024, 1), syscw: perMsg(io1.syscw - io0.syscw, 1), diskKB: perMsg((io1.writeBytes - io0.writeBytes) / 1024, 1) };
      const threads = [...relay.threadCpuMs()].map(([tid, ms]) => [tid, perMsg(ms - (threads0.get(tid) ?? 0), 3)] as const).filter(([, v]) => v > 0);
      duplicates += relayStats.duplicates;
      await relay.stop();
      const relayRate = n / ((relayStats.lastAt - t0) / 1000);
      await sink.reset();

      // Direct: nodemailer's pool to the same sink.
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
      await pool(warmup, inFlight, (i) => transport.sendMail({ ...message(1_000_000 + i, ''), to: `lead${i}@customer.test` }));
      await sink.waitFor(warmup);
      await sink.reset();
      const [directCpu0, directSinkCpu0] = [clientCpuMs(), (await sink.stats()).cpuMs];
      const d0 = performance.timeOrigin + performance.now();
      await pool(n, inFlight, (i) => transport.sendMail({ from: FROM, to: `lead${i}@customer.test`, subject: `Bench ${i}`, text: body10k(i) }));
      const directStats = await sink.waitFor(n);
      const directCpu = (clientCpuMs() - directCpu0) / n;
      const directSinkCpu = (directStats.cpuMs - directSinkCpu0) / n;
      transport.close();
      const directRate = n / ((directStats.lastAt - d0) / 1000);
      await sink.reset();
      all.push({
        relay: relayRate,
        direct: directRate,
        ratio: relayRate / directRate,
        relayAcceptPerSec: n / ((acceptedAt - t0) / 1000),
        relayDeliveryOnlyCpuMsPerMsg: relayDeliveryCpu,
        rssBytes,
        cpu: { relay: relayCpu, relayClient: relayClientCpu, relaySink: relaySinkCpu, direct: directCpu, directSink: directSinkCpu },
      });
      if (process.env.BENCH_VERBOSE) {
        console.error(JSON.stringify(all.at(-1)));
        console.error(JSON.stringify({ relayThreadsCpuMsPerMsg: Object.fromEntries(threads), relayIoPerMsg: ioPerMsg }));
        console.error(JSON.stringify({ relaySink: { connections: relayStats.connections, bytes: relayStats.bytes }, directSink: { connections: directStats.connections, bytes: directStats.bytes } }));
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
