import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

/** Generous: tsx compiles the relay on start, on a machine other engineers keep busy. */
const START_TIMEOUT_MS = 60_000;

/** User + system CPU in ms from a /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat line (clock ticks of 10 ms). */
function statCpuMs(stat: string): number {
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A real relay process (relay/main.ts), as `npm run relay` starts it. */
export class RelayProcess {
  private agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  private constructor(
    private child: ChildProcess,
    readonly url: string,
    readonly dataDir: string,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<RelayProcess> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-bench-relay-'));
    const fullEnv = {
      ...process.env,
      RELAY_HOST: '127.0.0.1',
      RELAY_PORT: '0',
      RELAY_DATA_DIR: dataDir,
      RELAY_SMTP_ALLOWLIST: '127.0.0.1',
      RELAY_SMTP_CA_FILE: path.resolve('test/fixtures/tls/cert.pem'),
      RELAY_LOG_LEVEL: 'warn',
      ...env,
    };
    // BENCH_RELAY_NODE_ARGS adds Node flags to the relay process only, e.g. "--cpu-prof --cpu-prof-dir=prof".
    const nodeArgs = (process.env.BENCH_RELAY_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'relay/main.ts'], { env: fullEnv, stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      // A relay that never says where it listens must fail the benchmark, not hang it.
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`relay did not say "listening on" within ${START_TIMEOUT_MS} ms; its output: ${out}`));
      }, START_TIMEOUT_MS);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`relay exited with ${code}: ${out}`));
      });
      // BENCH_RELAY_STDOUT=1 passes the relay's standard output on (e.g. with --trace-gc in BENCH_RELAY_NODE_ARGS).
      if (process.env.BENCH_RELAY_STDOUT) child.stdout!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    return new RelayProcess(child, url, dataDir);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Creates a token with the real CLI, against this relay's database. */
  token(email: string, admin = false): string {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'relay/cli/token.ts', '--email', email, ...(admin ? ['--admin'] : [])], {
      env: { ...process.env, RELAY_DATA_DIR: this.dataDir },
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`relay:token failed: ${r.stderr}`);
    return r.stdout.trim().split('\n').at(-1)!;
  }

  /** Peak resident set size of the relay process, in bytes (Linux /proc). */
  peakRss(): number {
    const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  }

  /** CPU time (user + system) the relay process used so far, in ms (Linux /proc; clock ticks of 10 ms). */
  cpuMs(): number {
    return statCpuMs(fs.readFileSync(`/proc/${this.pid}/stat`, 'utf8'));
  }

  /** CPU time (ms) per thread of the relay process (Linux /proc), keyed by thread id ("main" for the main thread). */
  threadCpuMs(): Map<string, number> {
    const out = new Map<string, number>();
    for (const tid of fs.readdirSync(`/proc/${this.pid}/task`)) {
      let stat: string;
      try {
        stat = fs.readFileSync(`/proc/${this.pid}/task/${tid}/stat`, 'utf8');
      } catch {
        continue; // the thread ended meanwhile
      }
      out.set(Number(tid) === this.pid ? 'main' : tid, statCpuMs(stat));
    }
    return out;
  }

  /** Bytes and write calls the relay process made so far (Linux /proc/<pid>/io): sockets, log and database files alike. */
  io(): { wchar: number; syscw: number; writeBytes: number } {
    const io = fs.readFileSync(`/proc/${this.pid}/io`, 'utf8');
    const field = (k: string) => Number(new RegExp(`^${k}: (\\d+)`, 'm').exec(io)?.[1] ?? 0);
    return { wchar: field('wchar'), syscw: field('syscw'), writeBytes: field('write_bytes') };
  }

  async call(token: string, method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(this.url + urlPath, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
  }

  /**
   * POST with node:http over a keep-alive agent: a load generator as light as it can be, since on
   * this machine it shares the cores with the relay and the sink (fetch costs several times more CPU
   * per request). Resolves with the status and the response body.
   *
   * A request written to a kept-alive socket just as the relay closed it for idleness (Node's server
   * does after 5 s; the wait for delivery between warm-up and measurement can be longer) fails with
   * ECONNRESET before any answer. With an Idempotency-Key it is sent once more, as Node's documentation
   * advises for reused sockets: the relay answers a repeat with the same message, never a second one.
   */
  post(token: string, urlPath: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
    const payload = Buffer.from(JSON.stringify(body));
    return this.send(token, urlPath, payload, headers).catch((error: NodeJS.ErrnoException & { reused?: boolean }) => {
      if (error.reused && error.code === 'ECONNRESET' && 'Idempotency-Key' in headers) return this.send(token, urlPath, payload, headers);
      throw error;
    });
  }

  private send(token: string, urlPath: string, payload: Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        this.url + urlPath,
        {
          method: 'POST',
          agent: this.agent,
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': payload.length, ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
        },
      );
      req.on('error', (error) => reject(Object.assign(error, { reused: req.reusedSocket })));
      req.end(payload);
    });
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
