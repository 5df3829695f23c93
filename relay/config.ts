import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { loadMicrosoftConfig, type MicrosoftConfig } from './oauth/config';
import { Allowlist } from './security/egress';

/** Every environment variable the relay reads. The README's configuration table mirrors this (config-docs.test.ts checks). */
export const Env = z.object({
  RELAY_HOST: z.string().default('127.0.0.1'),
  RELAY_PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  RELAY_DATA_DIR: z.string().default('./data'),
  /** postgres://… : keep tokens, channels, the outbox and the limit windows in PostgreSQL (several relays may share it); embedded SQLite in the data dir when unset. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /** Key for AES-256-GCM encryption of SMTP passwords; generated into the data dir when unset. */
  RELAY_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Hosts, IPs or CIDRs a channel may reach even though they are private or loopback. */
  RELAY_SMTP_ALLOWLIST: z.string().default(''),
  /** Extra CA certificate(s) (PEM file) trusted for SMTP TLS, on top of the system roots. */
  RELAY_SMTP_CA_FILE: z.string().optional(),
  RELAY_MAX_BODY: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  /** Chrome/Edge extension ids allowed by CORS. */
  RELAY_EXTENSION_IDS: z.string().default('odbmceaebecihlmjdpgmbmagceiihbmh'),
  /** Further allowed origins, e.g. moz-extension://<uuid> (only extension schemes are accepted). */
  RELAY_EXTENSION_ORIGINS: z.string().default(''),
  /** Failed token checks per client IP and minute before 429. */
  RELAY_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().positive().default(20),
  /** Trust X-Forwarded-For for the client IP (only behind your own reverse proxy). */
  RELAY_TRUST_PROXY: z.enum(['0', '1', 'true', 'false']).default('0'),
  /** Delivery attempts before a message fails for good. */
  RELAY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  /** SMTP connect/greeting/socket timeout in milliseconds. */
  RELAY_SMTP_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  RELAY_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** DNS servers for deliverability checks ("ip" or "ip:port", comma-separated); the system resolver when empty. */
  RELAY_DNS_SERVERS: z.string().default(''),
  RELAY_DNS_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(2000),
  /** How long deliverability answers are kept. */
  RELAY_DNS_CACHE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  /** On SIGTERM, how long /readyz answers 503 before the listener closes, so a load balancer stops routing here first. */
  RELAY_SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  /** Bearer token for GET /metrics; unset, /metrics answers 404 (secure by default). */
  RELAY_METRICS_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16, 'must be at least 16 characters').optional()),
});

export type LogLevel = z.infer<typeof Env>['RELAY_LOG_LEVEL'];

export type RelayConfig = {
  host: string;
  port: number;
  dataDir: string;
  /** PostgreSQL connection URL (DATABASE_URL); undefined for the embedded SQLite database. */
  databaseUrl: string | undefined;
  secret: string | undefined;
  smtpAllowlist: string[];
  smtpCaFile: string | undefined;
  /** PEM text of RELAY_SMTP_CA_FILE, read at start so a bad path fails early. */
  smtpCa: string | undefined;
  maxBody: number;
  corsOrigins: string[];
  authFailuresPerMinute: number;
  trustProxy: boolean;
  maxAttempts: number;
  smtpTimeoutMs: number;
  logLevel: LogLevel;
  /** Office 365 modern authentication (RELAY_MS_*, see oauth/config.ts). */
  microsoft: MicrosoftConfig;
  dnsServers: string[];
  dnsTimeoutMs: number;
  dnsCacheSeconds: number;
  /** GET /metrics is served only when set, and only with `Authorization: Bearer <metricsToken>`. */
  metricsToken: string | undefined;
  shutdownDelayMs: number;
};

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): RelayConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Invalid configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  // Replicas share the database, so they must share the key its secrets are sealed with: one generated
  // into a single machine's data dir would make every other replica's channels unreadable.
  if (e.DATABASE_URL && !e.RELAY_SECRET) {
    throw new Error('Invalid configuration: RELAY_SECRET: required with DATABASE_URL (every relay sharing the database needs the same key)');
  }
  const extensionIds = list(e.RELAY_EXTENSION_IDS);
  for (const id of extensionIds) {
    if (!/^[a-p]{32}$/.test(id)) throw new Error(`Invalid configuration: RELAY_EXTENSION_IDS: "${id}" is not a Chrome extension id`);
  }
  const origins = list(e.RELAY_EXTENSION_ORIGINS);
  for (const o of origins) {
    if (!/^(chrome-extension|moz-extension|safari-web-extension):\/\/[A-Za-z0-9-]+$/.test(o)) {
      throw new Error(`Invalid configuration: RELAY_EXTENSION_ORIGINS: "${o}" is not an extension origin`);
    }
  }
  try {
    new Allowlist(list(e.RELAY_SMTP_ALLOWLIST));
  } catch (error) {
    throw new Error(`Invalid configuration: ${(error as Error).message}`);
  }
  let smtpCa: string | undefined;
  if (e.RELAY_SMTP_CA_FILE) {
    try {
      smtpCa = fs.readFileSync(e.RELAY_SMTP_CA_FILE, 'utf8');
    } catch (error) {
      throw new Error(`Invalid configuration: RELAY_SMTP_CA_FILE: cannot read ${e.RELAY_SMTP_CA_FILE}: ${(error as Error).message}`);
    }
    if (!smtpCa.includes('-----BEGIN CERTIFICATE-----')) {
      throw new Error('Invalid configuration: RELAY_SMTP_CA_FILE: not a PEM certificate file');
    }
  }
  return {
    host: e.RELAY_HOST,
    port: e.RELAY_PORT,
    dataDir: path.resolve(e.RELAY_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    secret: e.RELAY_SECRET,
    smtpAllowlist: list(e.RELAY_SMTP_ALLOWLIST),
    smtpCaFile: e.RELAY_SMTP_CA_FILE,
    smtpCa,
    maxBody: e.RELAY_MAX_BODY,
    corsOrigins: [...extensionIds.map((id) => `chrome-extension://${id}`), ...origins],
    authFailuresPerMinute: e.RELAY_AUTH_FAILURES_PER_MINUTE,
    trustProxy: e.RELAY_TRUST_PROXY === '1' || e.RELAY_TRUST_PROXY === 'true',
    maxAttempts: e.RELAY_MAX_ATTEMPTS,
    smtpTimeoutMs: e.RELAY_SMTP_TIMEOUT_MS,
    logLevel: e.RELAY_LOG_LEVEL,
    microsoft: loadMicrosoftConfig(env),
    dnsServers: list(e.RELAY_DNS_SERVERS),
    dnsTimeoutMs: e.RELAY_DNS_TIMEOUT_MS,
    dnsCacheSeconds: e.RELAY_DNS_CACHE_SECONDS,
    metricsToken: e.RELAY_METRICS_TOKEN,
    shutdownDelayMs: e.RELAY_SHUTDOWN_DELAY_MS,
  };
}
