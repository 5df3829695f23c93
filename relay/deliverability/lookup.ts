import { promises as dns } from 'node:dns';

/** The DNS questions the checks ask. An interface so tests and the cache can wrap it. */
export interface DnsLookup {
  txt(name: string): Promise<string[]>;
  mx(name: string): Promise<{ exchange: string; priority: number }[]>;
  cname(name: string): Promise<string[]>;
  addresses(name: string): Promise<string[]>;
}

export type DnsFailure = 'nxdomain' | 'nodata' | 'timeout' | 'servfail' | 'error';

export class DnsLookupError extends Error {
  constructor(
    readonly kind: DnsFailure,
    readonly queried: string,
  ) {
    super(`DNS lookup of ${queried} failed: ${kind}`);
  }
}

function classify(error: unknown, name: string): DnsLookupError {
  const code = (error as { code?: string }).code;
  const kind: DnsFailure =
    code === 'ENOTFOUND' ? 'nxdomain' : code === 'ENODATA' ? 'nodata' : code === 'ETIMEOUT' ? 'timeout' : code === 'ESERVFAIL' ? 'servfail' : 'error';
  return new DnsLookupError(kind, name);
}

/**
 * node:dns with its own servers (RELAY_DNS_SERVERS, "ip[:port]" comma-separated;
 * the system resolver otherwise), a per-query timeout and one retry.
 */
export function nodeDnsLookup(options: { servers?: string[]; timeoutMs?: number } = {}): DnsLookup {
  const resolver = new dns.Resolver({ timeout: options.timeoutMs ?? 2000, tries: 2 });
  if (options.servers?.length) resolver.setServers(options.servers);
  const wrap =
    <T>(fn: (name: string) => Promise<T>) =>
    async (name: string): Promise<T> => {
      try {
        return await fn(name);
      } catch (error) {
        throw classify(error, name);
      }
    };
  return {
    txt: wrap(async (name) => (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''))),
    mx: wrap((name) => resolver.resolveMx(name)),
    cname: wrap((name) => resolver.resolveCname(name)),
    addresses: wrap(async (name) => {
      const [v4, v6] = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
      const all = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
      if (all.length) return all;
      throw (v4.status === 'rejected' ? v4.reason : new Error('no addresses')) as Error;
    }),
  };
}

/**
 * Caches answers (and "no such record" answers) for `ttlMs`. node:dns does
 * not expose TTLs of TXT/MX/CNAME answers, so the cache lifetime is a
 * configured ceiling (RELAY_DNS_CACHE_SECONDS) rather than each record's own TTL.
 */
export function cachedLookup(inner: DnsLookup, ttlMs: number, now: () => number = Date.now): DnsLookup {
  const cache = new Map<string, { until: number; value: Promise<unknown> }>();
  const cached =
    <T>(kind: keyof DnsLookup) =>
    (name: string): Promise<T> => {
      const key = `${kind}:${name.toLowerCase()}`;
      const hit = cache.get(key);
      if (hit && hit.until > now()) return hit.value as Promise<T>;
      const value = (inner[kind] as (n: string) => Promise<T>)(name);
      cache.set(key, { until: now() + ttlMs, value });
      // Timeouts and server failures are not answers: do not keep them.
      value.catch((error) => {
        if (!(error instanceof DnsLookupError) || error.kind === 'timeout' || error.kind === 'servfail' || error.kind === 'error') {
          cache.delete(key);
        }
      });
      return value;
    };
  return { txt: cached('txt'), mx: cached('mx'), cname: cached('cname'), addresses: cached('addresses') };
}
