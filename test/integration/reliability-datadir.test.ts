import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_CA_FILE } from '../helpers/relay';

/**
 * A relay that cannot keep mail must not take it: on a read-only or full data
 * directory it refuses to start, says why, and exits non-zero. Root ignores
 * file modes, so these use what really stops root: a read-only bind mount and
 * a tiny tmpfs filled to the last byte. Mounting needs root; elsewhere the
 * suite is skipped with the reason printed.
 */
const isRoot = process.getuid?.() === 0;
let canMount = false;
let why = 'not running as root (mount needs it)';
if (isRoot) {
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe], { stdio: 'pipe' });
    canMount = true;
  } catch (error) {
    why = `root, but mount is not permitted here: ${(error as Error).message.split('\n')[0]}`;
  }
  fs.rmSync(probe, { recursive: true, force: true });
}
if (!canMount) console.warn(`[data dir tests skipped] ${why}`);

interface Outcome {
  code: number | null;
  output: string;
  listening: boolean;
}

/** Starts relay/main.ts on `dataDir`; resolves when it exits or starts listening (then stops it). */
async function startRelayProcess(dataDir: string): Promise<Outcome> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'relay/main.ts'], {
    env: { PATH: process.env.PATH, RELAY_DATA_DIR: dataDir, RELAY_PORT: '0', RELAY_SMTP_ALLOWLIST: '127.0.0.1', RELAY_SMTP_CA_FILE: TEST_CA_FILE, RELAY_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 45_000;
  while (child.exitCode === null && !output.includes('listening on')) {
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  const listening = output.includes('listening on');
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(listening ? 'SIGTERM' : 'SIGKILL');
    await exited;
  }
  return { code: listening ? null : child.exitCode, output, listening };
}

const mounts: string[] = [];
const mount = (args: string[], target: string) => {
  execFileSync('mount', [...args, target], { stdio: 'pipe' });
  mounts.push(target);
};
/** Fills a filesystem to the last byte (dd stops at ENOSPC). */
const fill = (dir: string) => {
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${path.join(dir, 'ballast')}`, 'bs=4096'], { stdio: 'pipe' });
  } catch {
    // dd exits non-zero at "No space left on device": that is the point.
  }
  const s = fs.statfsSync(dir);
  expect(s.bavail).toBe(0);
};

describe.skipIf(!canMount)('relay refuses a data directory where it cannot keep mail', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-datadir-'));
  beforeAll(() => undefined);
  afterAll(() => {
    for (const m of mounts.reverse()) {
      try {
        execFileSync('umount', [m], { stdio: 'pipe' });
      } catch {
        execFileSync('umount', ['-l', m], { stdio: 'pipe' });
      }
    }
    fs.rmSync(root, { recursive: true, force: true });
  });

  const expectRefused = (o: Outcome, reason: RegExp) => {
    expect(o.listening, o.output).toBe(false);
    expect(o.code).toBe(1);
    expect(o.output).toMatch(/cannot use data directory/);
    expect(o.output).toMatch(reason);
    expect(o.output).toMatch(/Refusing to start: accepted mail must be kept on disk/);
  };

  it('a working data directory starts (the control case)', async () => {
    const dir = path.join(root, 'ok');
    const o = await startRelayProcess(dir);
    expect(o.listening, o.output).toBe(true);
  });

  it('read-only mount, empty: refuses with EROFS and exit code 1', async () => {
    const src = path.join(root, 'ro-src');
    const dst = path.join(root, 'ro');
    fs.mkdirSync(src);
    fs.mkdirSync(dst);
    mount(['--bind', src], dst);
    execFileSync('mount', ['-o', 'remount,ro,bind', dst], { stdio: 'pipe' });
    expect(() => fs.writeFileSync(path.join(dst, 'x'), 'x')).toThrow(/EROFS/); // really read-only, even for root
    expectRefused(await startRelayProcess(dst), /read-only file system/i);
    expectRefused(await startRelayProcess(path.join(dst, 'sub')), /read-only file system/i);
  });

  it('read-only mount over an existing database: refuses rather than opening it read-only', async () => {
    const src = path.join(root, 'ro2-src');
    const dst = path.join(root, 'ro2');
    fs.mkdirSync(dst);
    const first = await startRelayProcess(src); // a relay ran here before
    expect(first.listening, first.output).toBe(true);
    expect(fs.existsSync(path.join(src, 'relay.sqlite'))).toBe(true);
    mount(['--bind', src], dst);
    execFileSync('mount', ['-o', 'remount,ro,bind', dst], { stdio: 'pipe' });
    expectRefused(await startRelayProcess(dst), /read-only file system/i);
  });

  it('a full disk, fresh directory: refuses with "no space" and exit code 1', async () => {
    const dst = path.join(root, 'full');
    fs.mkdirSync(dst);
    mount(['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs'], dst);
    fs.mkdirSync(path.join(dst, 'data'));
    fill(dst);
    expectRefused(await startRelayProcess(path.join(dst, 'data')), /no space|disk is full|free/i);
  });

  it('a disk that filled up after the relay last ran: refuses instead of accepting mail it cannot write', async () => {
    const dst = path.join(root, 'filled');
    fs.mkdirSync(dst);
    mount(['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs'], dst);
    const dir = path.join(dst, 'data');
    const first = await startRelayProcess(dir);
    expect(first.listening, first.output).toBe(true);
    fill(dst);
    expectRefused(await startRelayProcess(dir), /no space|disk is full|free/i);
  });
});
