import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { createLogger } from '../log';
import { createRelay, type Relay } from '../relay';
import { WORKER_STALL_MS, WatchedWorker } from './watched-worker';

describe('WatchedWorker (the readiness worker check)', () => {
  let relay: Relay | undefined;
  afterEach(async () => relay?.close(1_000));

  it('is not ready before start, ready while the loop comes round, stalled when it has not for too long, stopped after stop', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-watch-'));
    relay = await createRelay({ config: loadConfig({ RELAY_DATA_DIR: dataDir }), version: 't', logger: createLogger('silent') });
    const worker = relay.worker as WatchedWorker;
    expect(worker).toBeInstanceOf(WatchedWorker);
    expect(worker.loopProblem()).toBe('not started');
    expect((await relay.readiness.check()).checks.worker).toBe('not started');

    await worker.start();
    expect(worker.loopProblem()).toBeNull();
    // The loop passes through tick() at least every idle poll (2 s): wait for one more pass and look again.
    const seenAt = Date.now();
    await new Promise((r) => setTimeout(r, 3_000));
    expect(worker.loopProblem(seenAt + WORKER_STALL_MS + 1_000)).toBeNull();
    // Nothing for longer than the stall limit from now on: reported, with how long.
    expect(worker.loopProblem(Date.now() + WORKER_STALL_MS + 5_000)).toMatch(/^stalled: no pass for 3\d s$/);

    expect(await relay.readiness.check()).toEqual({ ready: true, checks: { database: 'ok', worker: 'ok', shutdown: 'ok' } });
    await relay.close(1_000);
    expect(worker.loopProblem()).toBe('stopped');
    relay = undefined;
  });
});
