/**
 * npm run bench — every benchmark, on this machine, in one run; each figure a
 * median over repeated runs, each speed next to the alternative measured in
 * the same run. Writes bench/results.json and bench/RESULTS.md and prints a
 * one-screen summary.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureThroughput } from './relay-throughput';
import { measureApiLatency } from './api-latency';
import { measurePacing } from './pacing';
import { measureRelayPacing } from './relay-pacing';
import { measureExtensionSizes } from './extension-size';
import { measurePageHeap } from './page-heap';
import { measureOutboxScaling } from './outbox-scaling';

const N = Number(process.env.BENCH_N ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const outDir = process.env.SENDWAY_OUT_DIR || '.output';

function log(step: string) {
  console.error(`▶ ${step}`);
}

function machine() {
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

function sidebarBench() {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/sidebar.ts'], { encoding: 'utf8', env: { ...process.env, SENDWAY_OUT_DIR: outDir }, maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`bench/sidebar.ts failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { composeToSidebarReadyMs: Record<'gmail' | 'outlook', { p50: number; p95: number; n: number }> };
}

const machineInfo = machine();
log('build the Chrome extension');
if (spawnSync('npx', ['wxt', 'build', '-b', 'chrome'], { stdio: 'ignore', env: { ...process.env, SENDWAY_OUT_DIR: outDir } }).status !== 0) {
  throw new Error('extension build failed');
}

log(`relay throughput: ${N} messages × ${RUNS} runs, relay vs direct nodemailer pool`);
const throughput = await measureThroughput({ n: N, runs: RUNS });
log('relay API latency at a fixed offered load (100 req/s), and at 1, 4, 16 client connections');
const latency = await measureApiLatency({ rate: 100, duration: 10, connections: 8 });
const scaling = [];
for (const connections of [1, 4, 16]) scaling.push(await measureApiLatency({ rate: 0, duration: 8, connections }));
log('outbox: worker time per message at 1,000, 10,000 and 100,000 queued');
const outbox = await measureOutboxScaling();
log('pacing: planner (simulated clock) and the relay queue (compressed clock)');
const pacing = measurePacing({ contacts: 2000, runs: 7 });
const relayPacing = await measureRelayPacing({ n: 2000 });
log('extension: content-script bytes, compose → sidebar ready, page heap');
const sizes = await measureExtensionSizes(path.resolve(outDir, 'chrome-mv3'));
const sidebar = sidebarBench();
const heap = await measurePageHeap();

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const results = {
  date: new Date().toISOString(),
  machine: machineInfo,
  relayMsgsPerSec: round(throughput.relayMsgsPerSec, 1),
  directMsgsPerSec: round(throughput.directMsgsPerSec, 1),
  relayVsDirectRatio: round(throughput.relayVsDirectRatio, 3),
  relayPeakRssMiB: round(throughput.relayPeakRssBytes / 2 ** 20, 1),
  relayDuplicates: throughput.duplicates,
  throughputRuns: throughput.runs.map((r) => ({ relay: round(r.relay, 1), direct: round(r.direct, 1) })),
  apiP50Ms: latency.apiP50Ms,
  apiP99Ms: latency.apiP99Ms,
  apiLatency: latency,
  scaling: scaling.map((s) => ({ connections: s.connections, requestsPerSec: round(s.achievedRatePerSec, 1), p50Ms: s.apiP50Ms, p99Ms: s.apiP99Ms, non2xx: s.non2xx })),
  outboxScaling: outbox,
  outboxMsPerMessageGrowth: round(outbox.at(-1)!.workerMsPerMessage / outbox[0]!.workerMsPerMessage, 2),
  pacingViolations: pacing.pacingViolations,
  pacingMakespanRatio: round(pacing.pacingMakespanRatio, 4),
  plannerMsMedian: round(pacing.plannerMsMedian, 2),
  relayPacing: { ...relayPacing, makespanRatio: round(relayPacing.makespanRatio, 4) },
  contentScriptGzipBytes: sizes.gmail.gzip,
  contentScriptRawBytes: sizes.gmail.raw,
  outlookContentScriptGzipBytes: sizes.outlook.gzip,
  inboxsdkGzipBytes: sizes.inboxsdk.gzip,
  inboxsdkRawBytes: sizes.inboxsdk.raw,
  gmailJsGzipBytes: sizes.gmailJs.gzip,
  contentScriptVsInboxsdk: round(sizes.gmail.gzip / sizes.inboxsdk.gzip, 3),
  sidebarReadyP50Ms: sidebar.composeToSidebarReadyMs.gmail.p50,
  sidebarReadyP95Ms: sidebar.composeToSidebarReadyMs.gmail.p95,
  outlookSidebarReadyP50Ms: sidebar.composeToSidebarReadyMs.outlook.p50,
  outlookSidebarReadyP95Ms: sidebar.composeToSidebarReadyMs.outlook.p95,
  pageHeapWithExtensionMiB: round(heap.withExtensionBytes / 2 ** 20),
  pageHeapWithoutExtensionMiB: round(heap.withoutExtensionBytes / 2 ** 20),
};

fs.writeFileSync('bench/results.json', JSON.stringify(results, null, 2) + '\n');

const kb = (b: number) => `${round(b / 1024, 1)} KiB`;
const rows: [string, string, string][] = [
  ['Relay throughput (10 KB msgs, POST → 250)', `${results.relayMsgsPerSec} msg/s`, `direct nodemailer pool ${results.directMsgsPerSec} msg/s → ratio ${results.relayVsDirectRatio} (target ≥ 0.7)`],
  ['Relay peak RSS', `${results.relayPeakRssMiB} MiB`, `duplicates at the sink: ${results.relayDuplicates}`],
  ['POST /v1/messages at 100 req/s', `p50 ${results.apiP50Ms} ms`, `p99 ${results.apiP99Ms} ms`],
  ...results.scaling.map((s) => [`API, ${s.connections} client(s), unthrottled`, `${s.requestsPerSec} req/s`, `p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms`] as [string, string, string]),
  ['Outbox worker ms/message at 1k / 10k / 100k queued', outbox.map((p) => p.workerMsPerMessage).join(' / '), `100k ÷ 1k = ${results.outboxMsPerMessageGrowth} (flat is ≈ 1)`],
  ['Planner, 2,000 contacts on Office 365', `${results.pacingViolations} violations`, `makespan ÷ minimum ${results.pacingMakespanRatio} (target ≤ 1.01), ${results.plannerMsMedian} ms`],
  ['Relay queue, 2,000 msgs, compressed clock', `${results.relayPacing.violations} violations`, `makespan ÷ minimum ${results.relayPacing.makespanRatio}`],
  ['Gmail content script', kb(results.contentScriptRawBytes) + ' raw', `${kb(results.contentScriptGzipBytes)} gzip vs InboxSDK ${kb(results.inboxsdkGzipBytes)} (${results.contentScriptVsInboxsdk}×), gmail-js ${kb(results.gmailJsGzipBytes)}`],
  ['Compose → sidebar ready (Gmail / Outlook)', `p50 ${results.sidebarReadyP50Ms} / ${results.outlookSidebarReadyP50Ms} ms`, `p95 ${results.sidebarReadyP95Ms} / ${results.outlookSidebarReadyP95Ms} ms (target < 100)`],
  ['Page JS heap, Gmail fixture', `${results.pageHeapWithExtensionMiB} MiB with`, `${results.pageHeapWithoutExtensionMiB} MiB without the extension`],
];

const md = [
  '# Benchmark results',
  '',
  `Run ${results.date} on ${machineInfo.cores} cores (${machineInfo.cpu}), ${machineInfo.memoryGiB} GiB, Node ${machineInfo.node}, ${machineInfo.platform}; load average at start ${machineInfo.loadAverageAtStart.join(' / ')}. Produced by \`npm run bench\`; raw figures in results.json.`,
  '',
  '| what | figure | next to |',
  '| --- | --- | --- |',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
  '',
  'Method: the relay runs as its own process (`relay/main.ts`) with its SQLite database; the SMTP sink (STARTTLS + AUTH, smtp-server) runs in another process; both the relay and the direct nodemailer pool use 5 SMTP connections and 32 requests in flight; figures are medians over the runs. Content-script sizes compare Sendway\'s built scripts with InboxSDK (incl. its page-world script) and gmail-js (with jQuery), each bundled and minified by esbuild, gzip level 9.',
  '',
].join('\n');
fs.writeFileSync('bench/RESULTS.md', md);

const width = Math.max(...rows.map((r) => r[0].length));
console.log('\nSendway benchmarks');
for (const [a, b, c] of rows) console.log(`${a.padEnd(width)}  ${b.padEnd(24)}  ${c}`);
console.log('\nWritten: bench/results.json, bench/RESULTS.md');
