import { Hono } from 'hono';
import { z } from 'zod';
import { DeliverabilityReport } from '../../shared/schemas/deliverability';
import { Id } from '../../shared/schemas/relay-api';
import { channelDenial, domainOf } from '../auth/access';
import { checkDeliverability, type DeliverabilitySubject } from '../deliverability';
import { cachedLookup, nodeDnsLookup, type DnsLookup } from '../deliverability/lookup';
import type { AuthEnv } from '../middleware/auth';
import { apiError, zodIssue } from '../middleware/errors';
import { getChannel, type ChannelRecord } from '../store/channels';
import type { RouteDeps } from './deps';

const Query = z
  .object({
    /** DKIM selector the rep or admin entered (custom SMTP, SparkPost). */
    dkimSelector: z
      .string()
      .max(63)
      .regex(/^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/i, 'must be a DKIM selector like s1 or mail2026')
      .optional(),
    refresh: z.enum(['1', 'true']).optional(),
  })
  .strict();

/** Which domains a channel sends for: a domain channel's domains, or the owner's own domain. */
export function subjectOf(channel: ChannelRecord, dkimSelector?: string): DeliverabilitySubject {
  return {
    channelId: channel.id,
    provider: channel.provider,
    domains: channel.scope === 'domain' && channel.domains.length ? channel.domains : [domainOf(channel.ownerEmail)],
    smtpHost: channel.provider === 'smtp' ? channel.host : undefined,
    dkimSelector,
  };
}

const DomainQuery = Query.extend({ provider: z.enum(['gmail', 'office365', 'sparkpost', 'sendgrid']) }).strict();

/**
 * Mounted at /v1:
 * - GET /channels/:id/deliverability — SPF, DKIM, DMARC and MX of every
 *   domain the channel sends for, each with a fix in plain words.
 * - GET /deliverability?provider=gmail — the same for the token's own domain
 *   as sent by a provider outside the relay (the extension's Gmail channel).
 *   Only the caller's own domain: the relay is not a DNS oracle for anyone.
 * Answers are cached (RELAY_DNS_CACHE_SECONDS); ?refresh=1 asks DNS again.
 */
export function deliverabilityRoutes(deps: RouteDeps, lookup?: DnsLookup) {
  const app = new Hono<AuthEnv>();
  const ttlMs = deps.config.dnsCacheSeconds * 1000;
  const dns = lookup ?? nodeDnsLookup({ servers: deps.config.dnsServers, timeoutMs: deps.config.dnsTimeoutMs });
  let cached = cachedLookup(dns, ttlMs, () => deps.clock.now());
  const reports = new Map<string, { until: number; report: DeliverabilityReport }>();

  const cachedReport = async (key: string, refresh: boolean, subject: DeliverabilitySubject) => {
    const now = deps.clock.now();
    const hit = reports.get(key);
    if (hit && hit.until > now && !refresh) return hit.report;
    if (refresh) cached = cachedLookup(dns, ttlMs, () => deps.clock.now());
    const report = DeliverabilityReport.parse(await checkDeliverability(cached, subject, new Date(now)));
    reports.set(key, { until: now + ttlMs, report });
    if (reports.size > 1000) reports.delete(reports.keys().next().value!);
    return report;
  };

  app.get('/deliverability', async (c) => {
    const query = DomainQuery.safeParse(c.req.query());
    if (!query.success) {
      const { message, field } = zodIssue(query.error);
      return apiError(c, 400, 'invalid_request', message, field);
    }
    const domain = domainOf(c.get('token').email);
    const subject: DeliverabilitySubject = { channelId: `domain:${domain}`, provider: query.data.provider, domains: [domain], dkimSelector: query.data.dkimSelector };
    return c.json(await cachedReport(`${subject.channelId}:${query.data.provider}:${query.data.dkimSelector ?? ''}`, !!query.data.refresh, subject));
  });

  app.get('/channels/:id/deliverability', async (c) => {
    const id = Id.safeParse(c.req.param('id'));
    if (!id.success) return apiError(c, 400, 'invalid_request', 'id: must be an id', 'id');
    const query = Query.safeParse(c.req.query());
    if (!query.success) {
      const { message, field } = zodIssue(query.error);
      return apiError(c, 400, 'invalid_request', message, field);
    }
    const channel = await getChannel(deps.db, id.data);
    if (!channel) return apiError(c, 404, 'not_found', `no channel ${id.data}`);
    const denial = channelDenial(c.get('token'), channel);
    if (denial) return apiError(c, 403, 'forbidden', denial);

    const key = `${channel.id}:${channel.updatedAt}:${query.data.dkimSelector ?? ''}`;
    return c.json(await cachedReport(key, !!query.data.refresh, subjectOf(channel, query.data.dkimSelector)));
  });
  return app;
}
