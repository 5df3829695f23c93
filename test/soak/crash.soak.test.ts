import { describe, it } from 'vitest';
import { checkCrashReport, crashRun, printCrashReport } from '../helpers/crash-run';

/**
 * Issue 9's crash drill in full: 1,000 messages delivered by the real relay
 * process to a real SMTP server process, the relay killed with SIGKILL at five
 * random points and restarted each time. CRASH_SEED replays a run's kill
 * points; SOAK_CRASH_RUNS repeats the drill with fresh seeds.
 */
describe('crash drill: 1,000 messages, 5 × kill -9', () => {
  const runs = Number(process.env.SOAK_CRASH_RUNS ?? 1);
  for (let run = 1; run <= runs; run++) {
    it(`run ${run}: every accepted message arrives, at most twice (cut inside DATA), duplicates counted`, async () => {
      const concurrency = 4;
      const r = await crashRun({ messages: 1000, kills: 5, concurrency, postInFlight: 16, dataReplyDelayMs: 10, timeoutMs: 600_000 });
      printCrashReport(`crash-drill-soak-${run}`, r);
      checkCrashReport(r, concurrency);
    });
  }
});
