import { Hono } from 'hono';
import { CreateTokensRequest, CreateTokensResponse, Me } from '../../shared/schemas/relay-api';
import { requireAdmin, type AuthEnv } from '../middleware/auth';
import { apiError } from '../middleware/errors';
import { validJson } from '../middleware/validate';
import { createToken, listTokens, revokeToken } from '../store/tokens';
import type { RouteDeps } from './deps';

/** GET /v1/me for everyone; /v1/admin/* for administrators only. */
export function meRoutes() {
  const app = new Hono<AuthEnv>();
  app.get('/', (c) => {
    const t = c.get('token');
    return c.json(Me.parse({ email: t.email, admin: t.admin }));
  });
  return app;
}

export function adminRoutes(deps: RouteDeps) {
  const app = new Hono<AuthEnv>();
  app.use('*', requireAdmin());

  app.post('/tokens', validJson(CreateTokensRequest), async (c) => {
    const now = deps.clock.now();
    const body = c.req.valid('json');
    const created = await deps.db.transaction().execute(async (trx) => {
      const out = [];
      for (const t of body.tokens) out.push(await createToken(trx, t.email, t.admin ?? false, now));
      return out;
    });
    c.get('log').info('tokens_created', { by: c.get('token').id, count: created.length });
    return c.json(CreateTokensResponse.parse({ tokens: created.map((t) => ({ id: t.id, email: t.email, admin: t.admin, token: t.token })) }), 201);
  });

  app.get('/tokens', async (c) => c.json({ tokens: await listTokens(deps.db) }));

  app.delete('/tokens/:id', async (c) => {
    const id = c.req.param('id');
    if (!(await revokeToken(deps.db, id, deps.clock.now()))) return apiError(c, 404, 'not_found', 'no such active token', 'id');
    c.get('log').info('token_revoked', { by: c.get('token').id, tokenId: id });
    return c.json({ id, revoked: true });
  });
  return app;
}
