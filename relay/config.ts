import path from 'node:path';
import { z } from 'zod';

/** Every environment variable the relay reads. The README's configuration table mirrors this. */
const Env = z.object({
  RELAY_HOST: z.string().default('127.0.0.1'),
  RELAY_PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  RELAY_DATA_DIR: z.string().default('./data'),
});

export type RelayConfig = {
  host: string;
  port: number;
  dataDir: string;
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): RelayConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Invalid configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  return { host: e.RELAY_HOST, port: e.RELAY_PORT, dataDir: path.resolve(e.RELAY_DATA_DIR) };
}
