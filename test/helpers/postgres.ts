import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

/**
 * A throwaway PostgreSQL server (Debian's postgresql package) for one test
 * file: its own cluster in a temp dir, on 127.0.0.1 and a free port, with
 * password (SCRAM) authentication like a real deployment. PostgreSQL refuses
 * to run as root, so under root (CI containers) the cluster belongs to the
 * package's `postgres` user.
 */
export interface PgServer {
  /** postgres://sendway:…@127.0.0.1:port/<db>; each call to createDatabase() gives a fresh one. */
  url: string;
  createDatabase(name?: string): Promise<string>;
  stop(): Promise<void>;
}

const BIN_DIRS = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'];

export function postgresBinDir(): string | null {
  for (const d of BIN_DIRS) if (fs.existsSync(path.join(d, 'postgres'))) return d;
  return null;
}

export async function startPostgres(): Promise<PgServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install -y postgresql; .ci/run does this)');
  const root = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-pg-'));
  const data = path.join(dir, 'data');
  const password = crypto.randomBytes(12).toString('hex');
  const pwfile = path.join(dir, 'pw');
  fs.writeFileSync(pwfile, password, { mode: 0o600 });
  // Run as the package's user directly (not through runuser, which would stand between us and the server's signals).
  const user = root ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) } : {};
  if (root) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  execFileSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'sendway', '--pwfile', pwfile, '-A', 'scram-sha-256', '-E', 'UTF8', '--no-sync'], { stdio: 'pipe', cwd: dir, ...user });
  const port = await freePort();
  // fsync off: this cluster lives for one test file; the relay's own durability is tested on SQLite.
  const args = ['-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'];
  const proc: ChildProcess = spawn(path.join(bin, 'postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir, ...user });
  let log = '';
  proc.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const base = `postgres://sendway:${password}@127.0.0.1:${port}`;
  const { default: pg } = await import('pg');
  let admin: InstanceType<typeof pg.Client>;
  for (let i = 0; ; i++) {
    // A client whose connect failed cannot be reused: a new one per attempt.
    admin = new pg.Client({ connectionString: `${base}/postgres` });
    try {
      await admin.connect();
      break;
    } catch (error) {
      if (proc.exitCode !== null || i > 100) throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  let n = 0;
  return {
    url: `${base}/postgres`,
    async createDatabase(name = `relay_${process.pid}_${++n}`) {
      await admin.query(`create database ${name}`);
      return `${base}/${name}`;
    },
    async stop() {
      await admin.end().catch(() => {});
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGINT'); // fast shutdown
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A database on the "postgres" test project's server (SENDWAY_TEST_PG_URL, started by postgres-setup.ts),
 * created unless it exists; returns its URL.
 */
export async function projectDatabase(name: string): Promise<string> {
  const base = process.env.SENDWAY_TEST_PG_URL;
  if (!base) throw new Error('run in the "postgres" Vitest project (its globalSetup starts PostgreSQL)');
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (!exists.rowCount) await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return base.replace(/\/[^/]*$/, `/${name}`);
}
