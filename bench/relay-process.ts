import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A real relay process (relay/main.ts), as `npm run relay` starts it. */
export class RelayProcess {
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
    const child = spawn(process.execPath, ['--import', 'tsx', 'relay/main.ts'], { env: fullEnv, stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.once('exit', (code) => reject(new Error(`relay exited with ${code}: ${out}`)));
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
        if (m) resolve(m[1]!);
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

  async call(token: string, method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(this.url + urlPath, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
