import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import {
  SuppressionChangeRequest,
  SuppressionCheckRequest,
  SuppressionCheckResponse,
  SuppressionList,
  UnsubscribeLinksRequest,
  UnsubscribeLinksResponse,
} from '../../shared/schemas/unsubscribe';
import { channelDenial, domainOf } from '../auth/access';
import { requireAdmin, type AuthEnv } from '../middleware/auth';
import { apiError } from '../middleware/errors';
import { validJson, validQuery } from '../middleware/validate';
import { signUnsubscribe, verifyUnsubscribe } from '../security/unsubscribe-token';
import { listChannels } from '../store/channels';
import type { TokenRecord } from '../store/tokens';
import { listSuppressions, suppress, suppressedAmong, unsubscribeKey, unsuppress } from '../store/suppressions';
import type { RouteDeps } from './deps';
import type { LogEnv } from '../middleware/request-id';
import { confirmPage, donePage, invalidPage, PAGE_CSP, pickLang } from './unsubscribe-page';

/**
 * Unsubscribe for sequence emails, RFC 8058 style:
 *
 * - `GET  /unsubscribe/:token` (public): a confirmation page. A GET changes
 *   nothing, because mail gateways and link scanners open every link.
 * - `POST /unsubscribe/:token` (public) with `List-Unsubscribe=One-Click`:
 *   what mail clients send for the List-Unsubscribe-Post header, and what the
 *   confirmation page's button sends. The address goes on the suppression
 *   list for the sending domain and its waiting mail is cancelled.
 * - `/v1/unsubscribe/links`, `/v1/suppressions/check` (token): signed links
 *   for a sequence's recipients, and which recipients are suppressed.
 * - `/v1/suppressions` (admin): list, add, lift.
 *
 * Tokens are HMAC-signed (security/unsubscribe-token.ts): a forged or edited
 * link is refused with 400 and changes nothing.
 */

/** The link's base: where the extension reached the relay (behind a trusted proxy, the forwarded host). */
function publicOrigin(c: Context, trustProxy: boolean): string {
  const url = new URL(c.req.url);
  if (trustProxy) {
    const proto = c.req.header('X-Forwarded-Proto')?.split(',')[0]?.trim();
    const host = c.req.header('X-Forwarded-Host')?.split(',')[0]?.trim();
    if (host && /^[A-Za-z0-9.-]+(:\d+)?$/.test(host)) return `${proto === 'http' ? 'http' : 'https'}://${host}`;
  }
  return url.origin;
}

/** Whether `token` may send from addresses at `domain` (so may mint links and check suppression for it). */
async function mayUseDomain(deps: RouteDeps, token: TokenRecord, domain: string): Promise<boolean> {
  if (token.admin || domainOf(token.email) === domain) return true;
  const channels = await listChannels(deps.db);
  return channels.some((c) => c.scope === 'domain' && c.domains.includes(domain) && channelDenial(token, c) === null);
}

/**
 * Replaces the relay's strict JSON-only CSP on the unsubscribe pages with one
 * that allows their single style block and a form posting back. Mounted
 * before the security headers so it has the last word on these paths.
 */
export function unsubscribePageHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if ((c.res.headers.get('Content-Type') ?? '').startsWith('text/html')) {
      c.res.headers.set('Content-Security-Policy', PAGE_CSP);
      c.res.headers.set('Cross-Origin-Resource-Policy', 'same-origin');
    }
  };
}

export function unsubscribePageRoutes(deps: RouteDeps) {
  const app = new Hono<LogEnv>();
  let key: Promise<Buffer> | undefined;
  const hmacKey = () => (key ??= unsubscribeKey(deps.db, deps.box).catch((error: unknown) => {
    key = undefined;
    throw error;
  }));

  app.get('/:token', async (c) => {
    const lang = pickLang(c.req.header('Accept-Language'));
    const claim = verifyUnsubscribe(await hmacKey(), c.req.param('token'));
    if (!claim) return c.html(invalidPage(lang), 400);
    const [already] = await suppressedAmong(deps.db, claim.domain, [claim.address]);
    if (already) return c.html(donePage(lang, claim.address, claim.domain));
    return c.html(confirmPage(lang, claim.address, claim.domain, c.req.param('token')));
  });

  app.post(
    '/:token',
    bodyLimit({ maxSize: 8 * 1024, onError: (c) => apiError(c, 413, 'payload_too_large', 'request body is too large') }),
    async (c) => {
      const lang = pickLang(c.req.header('Accept-Language'));
      const claim = verifyUnsubscribe(await hmacKey(), c.req.param('token'));
      if (!claim) return c.html(invalidPage(lang), 400);
      // RFC 8058: the POST body says List-Unsubscribe=One-Click (form-encoded or multipart).
      const type = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
      let oneClick = false;
      if (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data') {
        const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
        oneClick = body['List-Unsubscribe'] === 'One-Click';
      }
      if (!oneClick) return apiError(c, 400, 'invalid_request', 'the body must be List-Unsubscribe=One-Click (RFC 8058)', 'List-Unsubscribe');
      // The confirmation page says where it came from (Sec-Fetch-Site / Referer); mail clients post without either.
      const fromPage = c.req.header('Sec-Fetch-Mode') === 'navigate' || !!c.req.header('Referer');
      const r = await suppress(deps.commits, claim.domain, [claim.address], fromPage ? 'link' : 'one_click', deps.clock.now());
      c.get('log').info('unsubscribed', { domain: claim.domain, added: r.added.length, cancelled: r.cancelled, via: fromPage ? 'link' : 'one_click' });
      return c.html(donePage(lang, claim.address, claim.domain));
    },
  );
  return app;
}

const ListQuery = z
  .object({
    domain: z.string().max(253).optional(),
    limit: z.coerce.number().int().min(1).max(5000).default(500),
  })
  .strict();

/** The token-authenticated API; mounted under /v1 after bearer auth. */
export function unsubscribeApiRoutes(deps: RouteDeps) {
  const app = new Hono<AuthEnv>();
  let key: Promise<Buffer> | undefined;
  const hmacKey = () => (key ??= unsubscribeKey(deps.db, deps.box).catch((error: unknown) => {
    key = undefined;
    throw error;
  }));

  app.post('/unsubscribe/links', validJson(UnsubscribeLinksRequest), async (c) => {
    const body = c.req.valid('json');
    const domain = domainOf(body.from);
    if (!(await mayUseDomain(deps, c.get('token'), domain))) {
      return apiError(c, 403, 'forbidden', `you do not send from ${domain}, so you cannot make unsubscribe links for it`, 'from');
    }
    const k = await hmacKey();
    const origin = publicOrigin(c, deps.config.trustProxy);
    const links = [...new Set(body.addresses)].map((address) => ({
      address,
      url: `${origin}/unsubscribe/${signUnsubscribe(k, { address, domain })}`,
    }));
    return c.json(UnsubscribeLinksResponse.parse({ links }));
  });

  app.post('/suppressions/check', validJson(SuppressionCheckRequest), async (c) => {
    const body = c.req.valid('json');
    const domain = domainOf(body.from);
    if (!(await mayUseDomain(deps, c.get('token'), domain))) {
      return apiError(c, 403, 'forbidden', `you do not send from ${domain}`, 'from');
    }
    return c.json(SuppressionCheckResponse.parse({ suppressed: await suppressedAmong(deps.db, domain, body.addresses) }));
  });

  app.get('/suppressions', requireAdmin(), validQuery(ListQuery), async (c) => {
    const q = c.req.valid('query');
    return c.json(SuppressionList.parse({ suppressions: await listSuppressions(deps.db, q.domain, q.limit) }));
  });

  app.post('/suppressions', requireAdmin(), validJson(SuppressionChangeRequest), async (c) => {
    const body = c.req.valid('json');
    const r = await suppress(deps.commits, body.domain, body.addresses, 'admin', deps.clock.now());
    c.get('log').info('suppressions_added', { by: c.get('token').id, domain: body.domain, added: r.added.length, cancelled: r.cancelled });
    return c.json({ added: r.added, cancelled: r.cancelled }, 201);
  });

  app.delete('/suppressions', requireAdmin(), validJson(SuppressionChangeRequest), async (c) => {
    const body = c.req.valid('json');
    const removed = await unsuppress(deps.db, body.domain, body.addresses);
    c.get('log').info('suppressions_removed', { by: c.get('token').id, domain: body.domain, removed });
    return c.json({ removed });
  });

  return app;
}
