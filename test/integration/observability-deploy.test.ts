import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../relay/app';
import { Env, loadConfig } from '../../relay/config';
import { openSqlite } from '../../relay/db';
import { SHUTDOWN_GRACE_MS } from '../../relay/observability/readiness';
import { freePort } from '../helpers/free-port';

// There is no Docker daemon here, so the image is not built. Instead: the Dockerfile and the
// systemd unit are parsed and checked against the code, the relay is compiled exactly as the
// image's build stage does it, and the compiled relay is run and probed with the image's own
// HEALTHCHECK command.

const root = path.resolve('.');
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const ENV_NAMES = new Set(Object.keys(Env.shape));

interface Instruction {
  op: string;
  args: string;
  stage: number;
}

/** Dockerfile instructions with continuation lines joined, comments dropped, and the stage index (one per FROM). */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = -1;
  let buf = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!buf && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    buf += (buf ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (line.endsWith('\\')) continue;
    const m = /^(\w+)\s+([\s\S]*)$/.exec(buf)!;
    const op = m[1]!.toUpperCase();
    if (op === 'FROM') stage++;
    out.push({ op, args: m[2]!, stage });
    buf = '';
  }
  return out;
}

/** KEY=value pairs of an ENV instruction (the KEY=value form). */
const envPairs = (args: string) => Object.fromEntries([...args.matchAll(/(\w+)=("[^"]*"|\S+)/g)].map((m) => [m[1]!, m[2]!.replace(/^"|"$/g, '')]));

function unitFile(text: string): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const s = /^\[(\w+)\]$/.exec(line);
    if (s) {
      section = s[1]!;
      continue;
    }
    const eq = line.indexOf('=');
    const key = `${section}.${line.slice(0, eq)}`;
    keys.set(key, [...(keys.get(key) ?? []), line.slice(eq + 1)]);
  }
  return keys;
}

const packageOf = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);

/** Paths the app answers 200 on, without any /v1 deps (what a probe sees). */
async function answers(p: string): Promise<number> {
  const opened = await openSqlite(fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-deploy-')));
  try {
    return (await createApp({ db: opened.db, version: 't' }).request(p)).status;
  } finally {
    await opened.close();
  }
}

type Manifest = { entries: string[]; assets: string[]; externals: string[]; sourceDirs: string[] };

// The Dockerfile's build stage command (checked below), run here once for every test in this file.
beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build-relay.mjs'], { stdio: 'pipe' });
});

describe('Dockerfile', () => {
  const ins = parseDockerfile(fs.readFileSync('Dockerfile', 'utf8'));
  const last = Math.max(...ins.map((i) => i.stage));
  const final = ins.filter((i) => i.stage === last);
  const one = (op: string) => {
    const found = final.filter((i) => i.op === op);
    expect(found, op).toHaveLength(1);
    return found[0]!.args;
  };
  let manifest: Manifest;
  beforeAll(() => {
    manifest = JSON.parse(fs.readFileSync('dist-relay/manifest.json', 'utf8')) as Manifest;
  });

  it('builds the relay with the command the package script and the build stage use', () => {
    const build = ins.find((i) => i.op === 'RUN' && /build-relay\.mjs/.test(i.args))!;
    expect(build.args).toBe('node scripts/build-relay.mjs');
    expect((JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts['build:relay']).toBe(build.args);
  });

  it('is multi-stage on node:20-bookworm-slim', () => {
    const froms = ins.filter((i) => i.op === 'FROM').map((i) => i.args.split(/\s+/)[0]);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const f of froms) expect(f).toBe('node:20-bookworm-slim');
  });

  it('runs as a non-root user that the image creates', () => {
    const user = one('USER');
    const [name, group] = user.split(':');
    expect(['root', '0']).not.toContain(name);
    expect(['root', '0', undefined]).not.toContain(group);
    const created = final.find((i) => i.op === 'RUN' && /useradd/.test(i.args))!.args;
    expect(created).toMatch(new RegExp(`--uid ${name}\\b`));
  });

  it('checks health on a path the relay serves, on the port it exposes and listens on', async () => {
    const check = one('HEALTHCHECK');
    const pathMatch = /\/(\w+)'/.exec(check)!;
    expect(pathMatch[1]).toBe('healthz');
    expect(await answers(`/${pathMatch[1]}`)).toBe(200);
    const env = envPairs(final.filter((i) => i.op === 'ENV').map((i) => i.args).join(' '));
    expect(one('EXPOSE')).toBe(env.RELAY_PORT);
    expect(env.RELAY_HOST).toBe('0.0.0.0');
  });

  it('sets only variables the relay reads, with values its configuration accepts', () => {
    const env = envPairs(final.filter((i) => i.op === 'ENV').map((i) => i.args).join(' '));
    const relayVars = Object.keys(env).filter((k) => k !== 'NODE_ENV');
    expect(relayVars.length).toBeGreaterThanOrEqual(3);
    for (const k of relayVars) expect(ENV_NAMES, `${k} is not in relay/config.ts Env`).toContain(k);
    expect(() => loadConfig(env)).not.toThrow();
    // The data directory is the volume.
    expect(JSON.parse(one('VOLUME'))).toEqual([env.RELAY_DATA_DIR]);
  });

  it('starts a script the build stage produces, and copies every source folder the build reads', () => {
    const cmd = JSON.parse(one('CMD')) as string[];
    expect(cmd[0]).toBe('node');
    expect(cmd[1]).toBe('dist-relay/main.mjs');
    expect(manifest.entries.map((e) => `dist-relay/${e}`)).toContain(cmd[1]);
    expect(fs.existsSync(path.join(root, cmd[1]!))).toBe(true);
    const buildStage = ins.filter((i) => i.stage === ins.find((x) => /build-relay/.test(x.args))!.stage);
    const copied = buildStage.filter((i) => i.op === 'COPY').map((i) => i.args.split(/\s+/)[0]);
    for (const dir of manifest.sourceDirs) expect(copied, `build stage must COPY ${dir}`).toContain(dir);
    expect(final.some((i) => i.op === 'COPY' && i.args.includes('/app/dist-relay'))).toBe(true);
  });

  it('installs production dependencies only, and the compiled relay imports nothing else', () => {
    const install = ins.find((i) => i.op === 'RUN' && /npm ci --omit=dev/.test(i.args))!;
    expect(install.args).toMatch(/npm rebuild better-sqlite3/);
    expect(final.some((i) => i.op === 'COPY' && new RegExp(`--from=\\S+ /app/node_modules`).test(i.args))).toBe(true);
    const packages = new Set(manifest.externals.filter((e) => !e.startsWith('node:')).map(packageOf));
    expect(packages.size).toBeGreaterThan(3);
    for (const p of packages) expect(Object.keys(pkg.dependencies), `${p} is imported by the relay but not a runtime dependency`).toContain(p);
  });

  it('the compiled relay starts, passes the image HEALTHCHECK command, is ready, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-image-'));
    const env = { PATH: process.env.PATH, ...envPairs(final.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ')), RELAY_HOST: '127.0.0.1', RELAY_PORT: String(port), RELAY_DATA_DIR: dataDir, RELAY_LOG_LEVEL: 'warn' };
    const cmd = JSON.parse(one('CMD')) as string[];
    const child = spawn(process.execPath, cmd.slice(1), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: string[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => out.push(d.toString()));
    try {
      const deadline = Date.now() + 30_000;
      while (!out.join('').includes('listening on')) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`compiled relay did not start: ${out.join('')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const hc = JSON.parse(/CMD (\[.*\])$/.exec(one('HEALTHCHECK'))![1]!) as string[];
      const probe = spawnSync(process.execPath, hc.slice(1), { env: { ...env }, timeout: 10_000 });
      expect(probe.status, String(probe.stderr)).toBe(0);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(await ready.json()).toEqual({ ready: true, checks: { database: 'ok', worker: 'ok', shutdown: 'ok' } });
      // The token CLI ships compiled too (`docker exec … node dist-relay/cli/token.mjs --email …`).
      const tokenOut = execFileSync(process.execPath, ['dist-relay/cli/token.mjs', '--email', 'ops@example.com'], { env, encoding: 'utf8' });
      expect(tokenOut.trim().split('\n').at(-1)).toMatch(/^swr_/);
    } finally {
      const exited = new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code))));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    // The worker thread file was found next to the bundle: no fallback to checkpoints on the main thread.
    expect(out.join('')).not.toMatch(/checkpoint_fallback|"level":"error"/);
    // The probe and stop with a port that is now free again: the healthcheck fails when nothing answers.
    const dead = spawnSync(process.execPath, (JSON.parse(/CMD (\[.*\])$/.exec(one('HEALTHCHECK'))![1]!) as string[]).slice(1), { env: { ...env }, timeout: 10_000 });
    expect(dead.status).toBe(1);
  });

  it('.dockerignore keeps data, keys, env files and node_modules out of the build context', () => {
    const ignored = fs.readFileSync('.dockerignore', 'utf8').split('\n').map((l) => l.trim());
    for (const p of ['node_modules', 'data', 'keys', '.env', '.git', 'dist-relay']) expect(ignored).toContain(p);
    // …but not what the Dockerfile copies.
    for (const p of ['relay', 'shared', 'scripts', 'package.json', 'package-lock.json']) expect(ignored).not.toContain(p);
  });
});

describe('systemd unit', () => {
  const text = fs.readFileSync('deploy/sendway-relay.service', 'utf8');
  const unit = unitFile(text);
  const get = (k: string) => unit.get(k)?.at(-1);

  it('starts the compiled relay from the install directory', () => {
    const [node, script] = get('Service.ExecStart')!.split(/\s+/);
    expect(node).toMatch(/^\/usr\/bin\/node$/);
    const dir = get('Service.WorkingDirectory')!;
    expect(script!.startsWith(dir + '/')).toBe(true);
    const rel = script!.slice(dir.length + 1);
    const manifest = JSON.parse(fs.readFileSync('dist-relay/manifest.json', 'utf8')) as { entries: string[] };
    expect(manifest.entries.map((e) => `dist-relay/${e}`)).toContain(rel);
    expect(fs.existsSync(rel)).toBe(true);
  });

  it('sets only variables the relay reads, keeps data in its StateDirectory, reads secrets from an EnvironmentFile', () => {
    const env = Object.fromEntries(unit.get('Service.Environment')!.map((v) => v.split('=') as [string, string]));
    for (const k of Object.keys(env).filter((k) => k !== 'NODE_ENV')) expect(ENV_NAMES, `${k} is not in relay/config.ts Env`).toContain(k);
    expect(() => loadConfig(env)).not.toThrow();
    expect(env.RELAY_DATA_DIR).toBe(`/var/lib/${get('Service.StateDirectory')}`);
    expect(get('Service.EnvironmentFile')).toBe('/etc/sendway/relay.env');
    expect(get('Service.DynamicUser') === 'yes' || (get('Service.User') ?? 'root') !== 'root').toBe(true);
  });

  it('is hardened and restarts on failure', () => {
    for (const [k, v] of Object.entries({ NoNewPrivileges: 'yes', ProtectSystem: 'strict', ProtectHome: 'yes', PrivateTmp: 'yes', Restart: 'on-failure', CapabilityBoundingSet: '' })) {
      expect(get(`Service.${k}`), k).toBe(v);
    }
    expect(get('Service.RestrictAddressFamilies')!.split(/\s+/).sort()).toEqual(['AF_INET', 'AF_INET6', 'AF_UNIX']);
  });

  it('waits longer on stop than the relay may take to drain', () => {
    const maxDelay = 60_000;
    expect(() => loadConfig({ RELAY_SHUTDOWN_DELAY_MS: String(maxDelay) })).not.toThrow();
    expect(() => loadConfig({ RELAY_SHUTDOWN_DELAY_MS: String(maxDelay + 1) })).toThrow(/RELAY_SHUTDOWN_DELAY_MS/);
    const stopSec = Number(get('Service.TimeoutStopSec'));
    expect(stopSec * 1000).toBeGreaterThan(maxDelay + 2 * SHUTDOWN_GRACE_MS);
  });

  const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => fs.existsSync(p));
  const nodeAt = fs.existsSync('/usr/bin/node');
  it.skipIf(!analyze || !nodeAt)(`passes systemd-analyze verify${!analyze ? ' (skipped: systemd-analyze is not installed)' : !nodeAt ? ' (skipped: /usr/bin/node, the unit\'s ExecStart, does not exist here)' : ''}`, () => {
    const r = spawnSync(analyze!, ['verify', path.resolve('deploy/sendway-relay.service')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    // Unknown or misspelt keys are only warnings: there must be none.
    expect((r.stdout + r.stderr).trim()).toBe('');
  });
});

describe('reverse proxy example', () => {
  it('proxies to the relay port and health-checks a path the relay serves', async () => {
    const caddy = fs.readFileSync('deploy/Caddyfile', 'utf8');
    expect(caddy).toMatch(/reverse_proxy 127\.0\.0\.1:8787/);
    expect(String(loadConfig({}).port)).toBe('8787');
    const health = /health_uri (\S+)/.exec(caddy)![1]!;
    expect(health).toBe('/readyz');
    // Without a worker the bare app is never ready, but the route exists (503, not 404).
    expect(await answers(health)).toBe(503);
  });
});
