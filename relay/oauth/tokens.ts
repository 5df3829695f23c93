import { sql, type Transaction } from 'kysely';
import type { Clock } from '../clock';
import { dialectOf, type RelayDb } from '../db';
import type { DB } from '../schema';
import type { Logger } from '../log';
import type { SecretBox } from '../security/secrets';
import { tokenUrl, type MicrosoftConfig } from './config';
import { loadGrant, saveRefreshed, type StoredGrant } from './grants';
import { codeGrantBody, MicrosoftTokenError, refreshGrantBody, requestTokens, type FetchLike, type TokenSet } from './microsoft';

export interface AccessToken {
  token: string;
  /** When Microsoft says it expires (relay clock). */
  expiresAt: number;
  /** When the relay renews it: ahead of expiry, so a connection never starts with a dying token. */
  renewAt: number;
  /** The grant's generation: changes with every refresh or reconnect. */
  generation: number;
}

export interface TokensDeps {
  db: RelayDb;
  box: SecretBox;
  clock: Clock;
  config: MicrosoftConfig;
  logger: Logger;
  fetch?: FetchLike;
  /**
   * Durable write (group commit with fsync): a rotated refresh token must
   * survive a power cut, or the relay would be left with a spent one.
   * Default: a plain transaction.
   */
  write?: <T>(fn: (trx: Transaction<DB>) => Promise<T>) => Promise<T>;
}

/** A token this young that the SMTP server refuses is not stale: refreshing again would not help. */
const FRESH_MS = 60_000;

/** Renew a tenth of the lifetime ahead of expiry, at most five minutes (Microsoft's tokens live 60–90 minutes). */
export function renewAt(obtainedAt: number, expiresAt: number): number {
  return expiresAt - Math.min(5 * 60_000, Math.max(0, expiresAt - obtainedAt) / 10);
}

/**
 * Access tokens for OAuth channels. A channel's token is refreshed under a
 * per-channel lock: however many sends or connections ask at once, one
 * refresh goes to Microsoft and they all get its result. Rotated refresh
 * tokens are saved (sealed) before anyone uses the new access token, so a
 * crash never leaves the relay holding only a spent refresh token. On SQLite
 * one relay process owns the data directory, so the in-process lock is the
 * whole lock; on PostgreSQL, where several relays share the grants, a
 * per-channel advisory lock in the database makes them take turns as well.
 */
export class MicrosoftTokens {
  private locks = new Map<string, Promise<AccessToken>>();
  /** Refreshes done, for logs and tests. */
  refreshes = 0;

  constructor(private readonly deps: TokensDeps) {}

  get config(): MicrosoftConfig {
    return this.deps.config;
  }

  /** The relay's clock (a fake one in tests). */
  now(): number {
    return this.deps.clock.now();
  }

  /** Redeems an authorization code with its PKCE verifier. */
  redeem(r: { code: string; codeVerifier: string; redirectUri: string }): Promise<TokenSet> {
    const { config, clock, fetch } = this.deps;
    return requestTokens(tokenUrl(config), codeGrantBody(config, r), { fetch, timeoutMs: config.timeoutMs, now: () => clock.now() });
  }

  /**
   * A token good for a new SMTP connection. `renew`: the server refused the
   * token it was given, so get a new one unless one was just minted.
   */
  async current(channelId: string, opts: { renew?: boolean } = {}): Promise<AccessToken> {
    const running = this.locks.get(channelId);
    if (running) return running;
    const grant = await this.grant(channelId);
    const ready = usable(grant, this.deps.clock.now(), opts.renew === true);
    if (ready) return ready;
    // Another caller may have taken the lock while we read the grant.
    const started = this.locks.get(channelId);
    if (started) return started;
    const p = this.refresh(channelId, opts.renew === true).finally(() => this.locks.delete(channelId));
    this.locks.set(channelId, p);
    return p;
  }

  /** The channel was reconnected or deleted: forget any refresh in flight for its old grant. */
  forget(channelId: string): void {
    this.locks.delete(channelId);
  }

  private async grant(channelId: string): Promise<StoredGrant> {
    const grant = await loadGrant(this.deps.db, this.deps.box, channelId);
    if (!grant) throw new MicrosoftTokenError('revoked', 'no_grant', 'this channel has no Microsoft sign-in; connect Office 365 again');
    return grant;
  }

  private async refresh(channelId: string, renew: boolean): Promise<AccessToken> {
    if (dialectOf(this.deps.db) !== 'postgres') return this.refreshLocked(channelId, renew);
    // Held on one pooled connection for the refresh's duration (a token request, seconds at most); the relay
    // that waited then reads the grant the other one saved and finds it fresh.
    const key = `sendway-oauth:${channelId}`;
    return this.deps.db.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock(hashtext(${key}))`.execute(conn);
      try {
        return await this.refreshLocked(channelId, renew);
      } finally {
        await sql`select pg_advisory_unlock(hashtext(${key}))`.execute(conn);
      }
    });
  }

  private async refreshLocked(channelId: string, renew: boolean): Promise<AccessToken> {
    const { db, box, clock, config, logger } = this.deps;
    // Read again inside the lock: a refresh that finished a moment ago already did the work.
    const grant = await this.grant(channelId);
    const ready = usable(grant, clock.now(), renew);
    if (ready) return ready;
    if (!config.clientId) throw new MicrosoftTokenError('rejected', 'not_configured', 'the relay has no Microsoft client id (RELAY_MS_CLIENT_ID)');
    if (grant.clientId !== config.clientId) {
      throw new MicrosoftTokenError('revoked', 'client_changed', 'the relay now uses another Microsoft application; connect Office 365 again');
    }
    let set: TokenSet;
    try {
      set = await requestTokens(tokenUrl(config, grant.tenantId ?? undefined), refreshGrantBody(config, grant.refreshToken), {
        fetch: this.deps.fetch,
        timeoutMs: config.timeoutMs,
        now: () => clock.now(),
      });
    } catch (error) {
      const e = error as MicrosoftTokenError;
      logger.warn('oauth_refresh_failed', { channelId, kind: e.kind, error: e.error, aadCodes: e.aadCodes?.join(',') });
      throw error;
    }
    this.refreshes++;
    const write = this.deps.write ?? ((fn) => db.transaction().execute(fn));
    const saved = await write((trx) => saveRefreshed(trx, box, channelId, grant.generation, set, clock.now()));
    if (!saved) {
      // Reconnected (or deleted) while we refreshed: the new grant is the truth.
      return usable(await this.grant(channelId), clock.now(), false) ?? Promise.reject(new MicrosoftTokenError('temporary', 'raced', 'the channel changed during a token refresh'));
    }
    logger.info('oauth_refreshed', { channelId, rotated: set.refreshToken !== undefined, generation: grant.generation + 1 });
    return { token: set.accessToken, expiresAt: set.expiresAt, renewAt: renewAt(set.obtainedAt, set.expiresAt), generation: grant.generation + 1 };
  }
}

/** The stored access token when it may be used now, else null. */
function usable(g: StoredGrant, now: number, renew: boolean): AccessToken | null {
  if (!g.accessToken || g.accessExpiresAt === null) return null;
  const obtained = g.accessObtainedAt ?? g.accessExpiresAt - 3600_000;
  const at = renewAt(obtained, g.accessExpiresAt);
  if (now >= at) return null;
  if (renew && now - obtained >= FRESH_MS) return null;
  return { token: g.accessToken, expiresAt: g.accessExpiresAt, renewAt: at, generation: g.generation };
}
