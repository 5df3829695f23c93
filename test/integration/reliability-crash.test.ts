import { describe, it } from 'vitest';
import { checkCrashReport, crashRun, printCrashReport } from '../helpers/crash-run';

/**
 * kill -9 of the real relay process at random points while mail is being
 * delivered, restarted on the same data directory each time. The npm test
 * variant: 200 messages, 3 kills, to stay near a minute on a busy machine
 * (each restart of the TypeScript relay takes seconds); the full drill,
 * 1,000 messages × 5 kills, is `npm run test:soak`, with the same checks
 * (checkCrashReport).
 */
describe('relay process killed with SIGKILL while delivering', () => {
  it('200 messages, 3 kills at random points: every accepted message arrives, at most twice, duplicates counted', async () => {
    const concurrency = 4;
    const r = await crashRun({ messages: 200, kills: 3, concurrency, postInFlight: 16, dataReplyDelayMs: 10, timeoutMs: 100_000 });
    printCrashReport('crash-drill-npm-test', r);
    checkCrashReport(r, concurrency);
  }, 120_000);
});
