import { Hono } from 'hono';
import { PRESET_LIMITS, withOverrides } from '../../shared/limits';
import { ChannelList, CreateChannelRequest, Id, UpdateChannelRequest, type Provider, type Security } from '../../shared/schemas/relay-api';
import { channelDenial, createDenial, deleteDenial } from '../auth/access';
import { verifyChannel } from '../delivery/verify';
import type { AuthEnv } from '../middleware/auth';
import { apiError } from '../middleware/errors';
import { validJson } from '../middleware/validate';
import { checkEgress } from '../security/egress';
import { newId } from '../security/tokens';
import { deleteChannel, getChannel, insertChannel, listChannels, toView, type ChannelRecord } from '../store/channels';
import type { RouteDeps } from './deps';

/** What each provider preset fills in (PROVIDERS.md). */
const PRESETS: Record<Provider, { host?: string; port: number; security: Security; username?: string }> = {
  office365: { host: 'smtp.office365.com', port: 587, security: 'starttls' },
  sparkpost: { host: 'smtp.sparkpostmail.com', port: 587, security: 'starttls', username: 'SMTP_Injection' },
  sendgrid: { host: 'smtp.sendgrid.net', port: 587, security: 'starttls', username: 'apikey' },
  smtp: { port: 587, security: 'starttls' },
};

export function channelRoutes(deps: RouteDeps) {
  const app = new Hono<AuthEnv>();
  const { db, clock, box } = deps;

  /**
   * Host checks at create/update time. A host that does not resolve right now
   * is accepted (it is checked again at every connection); one that resolves
   * to a forbidden address is refused.
   */
  const egressProblem = async (host: string) => {
    const r = await checkEgress(host, deps.allow, deps.lookup);
    return !r.ok && r.code === 'egress_denied' ? r.message : null;
  };

  app.post('/', validJson(CreateChannelRequest), async (c) => {
    const token = c.get('token');
    const body = c.req.valid('json');
    const preset = PRESETS[body.provider];
    if (body.provider === 'office365' && body.scope !== 'personal') {
      return apiError(c, 400, 'invalid_request', 'scope: Office 365 credentials belong to one mailbox, so an Office 365 channel is always personal', 'scope');
    }
    if (body.scope === 'domain' && !body.domains?.length) {
      return apiError(c, 400, 'invalid_request', 'domains: a domain channel needs at least one domain', 'domains');
    }
    if (body.scope === 'personal' && body.domains?.length) {
      return apiError(c, 400, 'invalid_request', 'domains: only a domain channel has domains', 'domains');
    }
    const host = body.host ?? preset.host;
    if (!host) return apiError(c, 400, 'invalid_request', 'host: a custom SMTP channel needs a host', 'host');
    const security = body.security ?? (body.port === 465 ? 'tls' : preset.security);
    const port = body.port ?? (security === 'tls' ? 465 : preset.port);
    const domains = [...new Set(body.domains ?? [])];
    const denied = createDenial(token, body.scope, domains);
    if (denied) return apiError(c, 403, 'forbidden', denied, 'domains');
    const egress = await egressProblem(host);
    if (egress) return apiError(c, 422, 'egress_denied', egress, 'host');

    const now = clock.now();
    const id = newId('ch');
    const record: ChannelRecord = {
      id,
      name: body.name,
      provider: body.provider,
      host: host.toLowerCase(),
      port,
      security,
      username: body.username ?? preset.username ?? token.email,
      passwordEnc: box.seal(body.password, id),
      scope: body.scope,
      domains,
      ownerTokenId: token.id,
      ownerEmail: token.email,
      limits: withOverrides(PRESET_LIMITS[body.provider], body.limits),
      status: 'active',
      heldUntil: null,
      heldReason: null,
      createdAt: now,
      updatedAt: now,
    };
    await insertChannel(db, record);
    c.get('log').info('channel_created', { channelId: id, provider: record.provider, scope: record.scope, tokenId: token.id });
    return c.json(toView(record), 201);
  });

  app.get('/', async (c) => {
    const token = c.get('token');
    const channels = (await listChannels(db)).filter((ch) => channelDenial(token, ch) === null);
    return c.json(ChannelList.parse({ channels: channels.map(toView) }));
  });

  /** Loads :id, answering 404 for a malformed or unknown id. */
  const load = async (id: string) => (Id.safeParse(id).success ? getChannel(db, id) : undefined);

  app.get('/:id', async (c) => {
    const channel = await load(c.req.param('id'));
    if (!channel) return apiError(c, 404, 'not_found', 'no such channel', 'id');
    const denied = channelDenial(c.get('token'), channel);
    if (denied && !c.get('token').admin) return apiError(c, 403, 'forbidden', denied);
    return c.json(toView(channel));
  });

  app.patch('/:id', validJson(UpdateChannelRequest), async (c) => {
    const token = c.get('token');
    const channel = await load(c.req.param('id'));
    if (!channel) return apiError(c, 404, 'not_found', 'no such channel', 'id');
    const denied = deleteDenial(token, channel);
    if (denied) return apiError(c, 403, 'forbidden', denied.replace('delete', 'change'));
    const body = c.req.valid('json');
    if (body.host && body.host !== channel.host) {
      const egress = await egressProblem(body.host);
      if (egress) return apiError(c, 422, 'egress_denied', egress, 'host');
    }
    const now = Math.max(clock.now(), channel.updatedAt + 1);
    const set: Record<string, unknown> = { updated_at: now };
    if (body.name !== undefined) set.name = body.name;
    if (body.host !== undefined) set.host = body.host.toLowerCase();
    if (body.port !== undefined) set.port = body.port;
    if (body.security !== undefined) set.security = body.security;
    if (body.username !== undefined) set.username = body.username;
    if (body.password !== undefined) set.password_enc = box.seal(body.password, channel.id);
    if (body.limits !== undefined) set.limits = JSON.stringify(withOverrides(channel.limits, body.limits));
    // New credentials or server: give the queue another go; a refusal marks it again.
    if (body.password !== undefined || body.username !== undefined || body.host !== undefined || body.port !== undefined || body.security !== undefined) {
      set.status = 'active';
    }
    await db.updateTable('channels').set(set).where('id', '=', channel.id).execute();
    deps.invalidateChannel(channel.id);
    deps.notify();
    c.get('log').info('channel_updated', { channelId: channel.id, tokenId: token.id, fields: Object.keys(body).join(',') });
    return c.json(toView((await getChannel(db, channel.id))!));
  });

  app.delete('/:id', async (c) => {
    const token = c.get('token');
    const channel = await load(c.req.param('id'));
    if (!channel) return apiError(c, 404, 'not_found', 'no such channel', 'id');
    const denied = deleteDenial(token, channel);
    if (denied) return apiError(c, 403, 'forbidden', denied);
    await deleteChannel(db, channel.id, clock.now());
    deps.invalidateChannel(channel.id);
    c.get('log').info('channel_deleted', { channelId: channel.id, tokenId: token.id });
    return c.json({ id: channel.id, deleted: true });
  });

  app.post('/:id/verify', async (c) => {
    const token = c.get('token');
    const channel = await load(c.req.param('id'));
    if (!channel) return apiError(c, 404, 'not_found', 'no such channel', 'id');
    const denied = channelDenial(token, channel);
    if (denied && deleteDenial(token, channel)) return apiError(c, 403, 'forbidden', denied);
    const result = await verifyChannel(channel, deps);
    const now = Math.max(clock.now(), channel.updatedAt + 1);
    if (result.ok && channel.status !== 'active') {
      await db.updateTable('channels').set({ status: 'active', updated_at: now }).where('id', '=', channel.id).execute();
      deps.invalidateChannel(channel.id);
      deps.notify();
    } else if (!result.ok && ['auth_failed', 'smtp_auth_disabled', 'basic_auth_unsupported', 'needs_reconnect'].includes(result.code) && channel.status !== 'needs_reconnect') {
      await db.updateTable('channels').set({ status: 'needs_reconnect', updated_at: now }).where('id', '=', channel.id).execute();
      deps.invalidateChannel(channel.id);
    }
    c.get('log').info('channel_verified', { channelId: channel.id, ok: result.ok, code: result.ok ? undefined : result.code });
    return c.json(result);
  });

  return app;
}
