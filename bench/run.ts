/**
 * npm run bench — every benchmark, on this machine, in one run; each figure the
 * median over repeated runs (every run's value kept in results.json, min–max
 * shown in the table), each speed next to the alternative measured in the same
 * run. Writes bench/results.json and bench/RESULTS.md and prints a one-screen
 * summary.
 *
 * Settings: --runs N or BENCH_RUNS (repeats of each expensive part, default 3;
 * the planner, a few milliseconds a run, does at least 7). Smaller runs while
 * developing: BENCH_N (messages per timed stretch of a throughput run; each side has two), BENCH_WARMUP (warm-up
 * messages per throughput run and side, default 10,000), BENCH_SECONDS and
 * BENCH_SCALING_SECONDS (autocannon durations), BENCH_DEPTHS and
 * BENCH_OUTBOX_DELIVER (outbox), BENCH_PACING_N, BENCH_COMPOSES (sidebar), and
 * BENCH_RESULTS_DIR to write the results somewhere else than bench/.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureThroughput } from './relay-throughput';
import { measureApiLatency, type LatencyFigures } from './api-latency';
import { measurePacing } from './pacing';
import { measureRelayPacing } from './relay-pacing';
import { measureExtensionSizes } from './extension-size';
import { measurePageHeap } from './page-heap';
import { PASS_MAX, claimGrowth, measureOutboxScaling } from './outbox-scaling';
import { figure, formatFigure as fmt, median, repeat, round, runsSetting, type Figure } from './stats';

const RUNS = runsSetting({ flag: 'runs', env: 'BENCH_RUNS' }, 3);
/** The planner takes milliseconds a run: more runs cost nothing. */
const PLANNER_RUNS = Math.max(7, RUNS);
const N = Number(process.env.BENCH_N ?? 2000);
const LATENCY_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SCALING_SECONDS = Number(process.env.BENCH_SCALING_SECONDS ?? 8);
const DEPTHS = (process.env.BENCH_DEPTHS ?? '1000,10000,100000').split(',').map(Number);
// Every run delivers this many from the same queue, so all runs together must fit in the smallest depth (5 runs of 1,000: 200 each).
const OUTBOX_DELIVER = Number(process.env.BENCH_OUTBOX_DELIVER ?? Math.min(300, Math.floor(Math.min(...DEPTHS) / RUNS) - PASS_MAX));
const PACING_N = Number(process.env.BENCH_PACING_N ?? 2000);
const CLIENTS = [1, 4, 16];
const outDir = process.env.SENDWAY_OUT_DIR || '.output';
const resultsDir = process.env.BENCH_RESULTS_DIR || 'bench';

const benchStarted = performance.now();
const partSeconds: Record<string, number> = {};
async function part<T>(name: string, what: string, fn: () => Promise<T> | T): Promise<T> {
  console.error(`▶ ${what}`);
  const t0 = performance.now();
  const out = await fn();
  partSeconds[name] = round((performance.now() - t0) / 1000, 1);
  console.error(`  ${partSeconds[name]} s`);
  return out;
}

// The machine is shared: sample its load while the benchmarks run, so the results say how busy it was.
const loadSamples: number[] = [];
const loadTimer = setInterval(() => loadSamples.push(os.loadavg()[0]!), 5_000);
loadTimer.unref();
const loadAverageAtStart = os.loadavg().map((x) => round(x));

function sidebarBench() {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/sidebar.ts'], { encoding: 'utf8', env: { ...process.env, SENDWAY_OUT_DIR: outDir }, maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`bench/sidebar.ts failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { composeToSidebarReadyMs: Record<'gmail' | 'outlook', { p50: number; p95: number; n: number }> };
}

await part('build', 'build the Chrome extension', () => {
  if (spawnSync('npx', ['wxt', 'build', '-b', 'chrome'], { stdio: 'ignore', env: { ...process.env, SENDWAY_OUT_DIR: outDir } }).status !== 0) {
    throw new Error('extension build failed');
  }
});

const throughput = await part('throughput', `relay throughput: 2 × ${N} messages per side × ${RUNS} runs, relay vs direct nodemailer pool, interleaved`, () => measureThroughput({ n: N, runs: RUNS }));
const latency = await part('apiLatency', `relay API latency at a fixed offered load (100 req/s, ${LATENCY_SECONDS} s) × ${RUNS} runs`, () =>
  repeat(RUNS, () => measureApiLatency({ rate: 100, duration: LATENCY_SECONDS, connections: 8 })),
);
const scalingRuns = await part('apiScaling', `relay API at ${CLIENTS.join(', ')} client connections, unthrottled, ${SCALING_SECONDS} s each × ${RUNS} runs`, async () => {
  // Runs interleaved (1, 4, 16, 1, 4, 16, ...) so a change in the machine's load falls on every client count alike.
  const byClients = new Map<number, LatencyFigures[]>(CLIENTS.map((c) => [c, []]));
  await repeat(RUNS, async () => {
    for (const connections of CLIENTS) byClients.get(connections)!.push(await measureApiLatency({ rate: 0, duration: SCALING_SECONDS, connections }));
  });
  return byClients;
});
const outbox = await part('outbox', `outbox: claim time per message at ${DEPTHS.join(', ')} queued × ${RUNS} runs`, () =>
  measureOutboxScaling({ depths: DEPTHS, deliver: OUTBOX_DELIVER, runs: RUNS }),
);
const pacing = await part('planner', `pacing: the planner, 2,000 contacts × ${PLANNER_RUNS} runs (simulated clock)`, () => measurePacing({ contacts: 2000, runs: PLANNER_RUNS }));
const relayPacing = await part('relayPacing', `pacing: the relay queue, ${PACING_N} messages × ${RUNS} runs (compressed clock)`, () =>
  repeat(RUNS, () => measureRelayPacing({ n: PACING_N })),
);
// Byte sizes of one build are exact: measured once.
const sizes = await part('sizes', 'extension: content-script bytes', () => measureExtensionSizes(path.resolve(outDir, 'chrome-mv3')));
const sidebar = await part('sidebar', `extension: compose → sidebar ready × ${RUNS} runs`, () => repeat(RUNS, () => sidebarBench()));
const heap = await part('heap', `extension: page heap with and without × ${RUNS} runs`, () => repeat(RUNS, () => measurePageHeap()));
clearInterval(loadTimer);

const MiB = 2 ** 20;
const tp = throughput.runs;
const f = {
  relay: figure(tp.map((r) => r.relay), 1),
  direct: figure(tp.map((r) => r.direct), 1),
  ratio: figure(tp.map((r) => r.ratio), 3),
  rss: figure(tp.map((r) => r.rssBytes / MiB), 1),
  p50: figure(latency.map((l) => l.apiP50Ms)),
  p99: figure(latency.map((l) => l.apiP99Ms)),
  plannerRatio: figure(pacing.runValues.makespanRatio, 4),
  plannerMs: figure(pacing.runValues.plannerMs),
  relayPacingRatio: figure(relayPacing.map((r) => r.makespanRatio), 4),
  gmailP50: figure(sidebar.map((s) => s.composeToSidebarReadyMs.gmail.p50), 1),
  gmailP95: figure(sidebar.map((s) => s.composeToSidebarReadyMs.gmail.p95), 1),
  outlookP50: figure(sidebar.map((s) => s.composeToSidebarReadyMs.outlook.p50), 1),
  outlookP95: figure(sidebar.map((s) => s.composeToSidebarReadyMs.outlook.p95), 1),
  heapWith: figure(heap.map((h) => h.withExtensionBytes / MiB)),
  heapWithout: figure(heap.map((h) => h.withoutExtensionBytes / MiB)),
  heapExtension: figure(heap.map((h) => h.extensionBytes / MiB)),
};
/** A figure at top level: its median under `name`, every run's value under `${name}Runs`. */
const top = (name: string, fig: Figure) => ({ [name]: fig.median, [`${name}Runs`]: fig.runs });
const scaling = CLIENTS.map((connections) => {
  const runs = scalingRuns.get(connections)!;
  return {
    connections,
    requestsPerSec: figure(runs.map((r) => r.achievedRatePerSec), 1),
    p50Ms: figure(runs.map((r) => r.apiP50Ms)),
    p99Ms: figure(runs.map((r) => r.apiP99Ms)),
    non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
  };
});
const pacingViolationsTotal = pacing.pacingViolations;
const relayPacingViolations = relayPacing.reduce((sum, r) => sum + r.violations, 0);
const growth = round(claimGrowth(outbox), 2);
const totalSeconds = round((performance.now() - benchStarted) / 1000, 0);
const loadDuring = loadSamples.length ? round(median(loadSamples)) : loadAverageAtStart[0]!;

const machine = {
  cores: os.cpus().length,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  memoryGiB: round(os.totalmem() / 2 ** 30, 1),
  node: process.version,
  platform: `${os.type()} ${os.release()}`,
  loadAverageAtStart,
  /** Median of the 1-minute load average, sampled every 5 s during the run. */
  loadAverageDuringRun: loadDuring,
  loadAverageAtEnd: os.loadavg().map((x) => round(x)),
};

const results = {
  date: new Date().toISOString(),
  machine,
  runs: RUNS,
  plannerRuns: PLANNER_RUNS,
  method: 'Each figure is the median over `runs` repeated runs (the planner: `plannerRuns`); `<name>Runs` lists every run in order. p50/p95/p99 are percentiles within one run; their median over runs is reported. Violation counts are totals over all runs. Byte sizes are exact (one build).',
  durationSeconds: { total: totalSeconds, ...partSeconds },
  ...top('relayMsgsPerSec', f.relay),
  ...top('directMsgsPerSec', f.direct),
  ...top('relayVsDirectRatio', f.ratio),
  ...top('relayPeakRssMiB', f.rss),
  relayDuplicates: throughput.duplicates,
  throughputMessagesPerSidePerRun: 2 * N,
  throughputRuns: tp.map((r) => ({ relay: round(r.relay, 1), direct: round(r.direct, 1), ratio: round(r.ratio, 3), relayAcceptPerSec: round(r.relayAcceptPerSec, 1) })),
  ...top('apiP50Ms', f.p50),
  ...top('apiP99Ms', f.p99),
  apiLatency: { offeredRatePerSec: 100, connections: 8, durationSec: LATENCY_SECONDS, runs: latency },
  scaling,
  outboxScaling: outbox,
  outboxClaimMsPerMessageGrowth: growth,
  pacingViolations: pacingViolationsTotal,
  pacingViolationsRuns: pacing.runValues.violations,
  ...top('pacingMakespanRatio', f.plannerRatio),
  ...top('plannerMs', f.plannerMs),
  plannerMsFirstCall: pacing.plannerMsFirstCall,
  relayPacing: {
    messages: PACING_N,
    violations: relayPacingViolations,
    makespanRatio: f.relayPacingRatio,
    runs: relayPacing.map((r) => ({ ...r, makespanRatio: round(r.makespanRatio, 4), wallSeconds: round(r.wallSeconds, 1) })),
  },
  contentScriptGzipBytes: sizes.gmail.gzip,
  contentScriptRawBytes: sizes.gmail.raw,
  outlookContentScriptGzipBytes: sizes.outlook.gzip,
  inboxsdkGzipBytes: sizes.inboxsdk.gzip,
  inboxsdkRawBytes: sizes.inboxsdk.raw,
  gmailJsGzipBytes: sizes.gmailJs.gzip,
  contentScriptVsInboxsdk: round(sizes.gmail.gzip / sizes.inboxsdk.gzip, 3),
  ...top('sidebarReadyP50Ms', f.gmailP50),
  ...top('sidebarReadyP95Ms', f.gmailP95),
  ...top('outlookSidebarReadyP50Ms', f.outlookP50),
  ...top('outlookSidebarReadyP95Ms', f.outlookP95),
  sidebarComposesPerRun: sidebar[0]!.composeToSidebarReadyMs.gmail.n,
  ...top('pageHeapWithExtensionMiB', f.heapWith),
  ...top('pageHeapWithoutExtensionMiB', f.heapWithout),
  ...top('pageHeapOfExtensionMiB', f.heapExtension),
};

fs.mkdirSync(resultsDir, { recursive: true });
fs.writeFileSync(path.join(resultsDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');

const kb = (b: number) => `${round(b / 1024, 1)} KiB`;
const depthName = (q: number) => (q % 1000 === 0 ? `${q / 1000}k` : String(q));
const rows: [string, string, string][] = [
  ['Relay throughput (10 KB msgs, POST → 250)', fmt(f.relay, 'msg/s'), `direct nodemailer pool ${fmt(f.direct, 'msg/s')}; relay ÷ direct ${fmt(f.ratio)} (target ≥ 0.7)`],
  ['Relay peak RSS', fmt(f.rss, 'MiB'), `duplicates at the sink: ${throughput.duplicates}`],
  ['POST /v1/messages at 100 req/s', `p50 ${fmt(f.p50, 'ms')}`, `p99 ${fmt(f.p99, 'ms')}`],
  ...scaling.map((s) => [`API, ${s.connections} client(s), unthrottled`, fmt(s.requestsPerSec, 'req/s'), `p50 ${fmt(s.p50Ms, 'ms')}, p99 ${fmt(s.p99Ms, 'ms')}`] as [string, string, string]),
  [
    `Outbox claim ms/message at ${outbox.map((p) => depthName(p.queued)).join(' / ')} queued`,
    outbox.map((p) => fmt(p.claimMsPerMessage)).join(' / '),
    `${depthName(outbox.at(-1)!.queued)} ÷ ${depthName(outbox[0]!.queued)} = ${growth} (medians; flat is ≈ 1)`,
  ],
  ['Outbox full look at the queue (one pass, ms)', outbox.map((p) => fmt(p.fullScanTickMs)).join(' / '), 'every 10 s in a running relay; not in the claim figure'],
  ['Outbox claim + send + record, ms/message', outbox.map((p) => fmt(p.workerMsPerMessage)).join(' / '), `${OUTBOX_DELIVER} delivered per run to a loopback SMTP server`],
  ['Planner, 2,000 contacts on Office 365', `${pacingViolationsTotal} violations`, `makespan ÷ minimum ${fmt(f.plannerRatio)} (target ≤ 1.01), planner ${fmt(f.plannerMs, 'ms')}`],
  [`Relay queue, ${PACING_N} msgs, compressed clock`, `${relayPacingViolations} violations`, `makespan ÷ minimum ${fmt(f.relayPacingRatio)}`],
  ['Gmail content script (exact)', kb(sizes.gmail.raw) + ' raw', `${kb(sizes.gmail.gzip)} gzip vs InboxSDK ${kb(sizes.inboxsdk.gzip)} (${results.contentScriptVsInboxsdk}×), gmail-js ${kb(sizes.gmailJs.gzip)}`],
  ['Compose → sidebar ready, Gmail', `p50 ${fmt(f.gmailP50, 'ms')}`, `p95 ${fmt(f.gmailP95, 'ms')} (target < 100)`],
  ['Compose → sidebar ready, Outlook', `p50 ${fmt(f.outlookP50, 'ms')}`, `p95 ${fmt(f.outlookP95, 'ms')} (target < 100)`],
  ['Page JS heap, Gmail fixture', `${fmt(f.heapWith, 'MiB')} with`, `${fmt(f.heapWithout, 'MiB')} without the extension`],
];

const busy = loadDuring >= machine.cores * 0.75;
const md = [
  '# Benchmark results',
  '',
  `Run ${results.date} on ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}. ` +
    `Load average ${loadAverageAtStart.join(' / ')} at the start, ${loadDuring} (1-minute, median) during the run, ${machine.loadAverageAtEnd.join(' / ')} at the end. ` +
    `The whole run took ${Math.round(totalSeconds / 60)} min. Produced by \`npm run bench\`; every run's values in results.json.`,
  '',
  ...(busy
    ? [
        `The machine was shared with other engineers running builds and tests during this run (load around ${loadDuring} on ${machine.cores} cores): absolute times and rates are pessimistic and noisy; the ratios, measured side by side in the same run, are the more telling.`,
        '',
      ]
    : []),
  `Each figure is the **median of ${RUNS} runs** (the planner: ${PLANNER_RUNS} runs), with the min–max over the runs in brackets where they differ. p50/p95/p99 are taken within a run, then their median over runs. Violation counts are totals over all runs. Byte sizes are exact.`,
  '',
  '| what | median (min–max) | next to |',
  '| --- | --- | --- |',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
  '',
  'Method: the relay runs as its own process (`relay/main.ts`) with its SQLite database; the SMTP sink (STARTTLS + AUTH, smtp-server) runs in another process; both the relay and the direct nodemailer pool use 5 SMTP connections, 100 messages per connection and 32 requests in flight, and each side first sends 10,000 warm-up messages (a relay is measured in its steady state, not while V8 compiles it: each run\'s relay is a fresh process, and its CPU per message kept falling until 6,000–10,000); each run times the relay and the direct pool twice each, in the order relay, direct, direct, relay, with ' + N.toLocaleString('en') + ' messages every time, so that the shared machine\'s drifting load weighs on both sides alike; relay ÷ direct is the median of the per-run ratios. API latency: autocannon against a fresh relay process each run while its worker delivers. Outbox: the real worker on the real store with 10 KB messages queued, driven pass by pass; a pass\'s time with nothing in flight is the claim path (due-mail look-up, pacing, status change and ledger reservation, hand-over to the send). Content-script sizes compare Sendway\'s built scripts with InboxSDK (incl. its page-world script) and gmail-js (with jQuery), each bundled and minified by esbuild, gzip level 9.',
  '',
].join('\n');
fs.writeFileSync(path.join(resultsDir, 'RESULTS.md'), md);

const width = Math.max(...rows.map((r) => r[0].length));
console.log(`\nSendway benchmarks — median of ${RUNS} runs (planner ${PLANNER_RUNS}), min–max in brackets; took ${totalSeconds} s, load ${loadDuring} on ${machine.cores} cores`);
for (const [a, b, c] of rows) console.log(`${a.padEnd(width)}  ${b.padEnd(30)}  ${c}`);
console.log(`\nWritten: ${path.join(resultsDir, 'results.json')}, ${path.join(resultsDir, 'RESULTS.md')}`);
