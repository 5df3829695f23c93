import { Hono, type Context } from 'hono';
import { PRESET_LIMITS } from '../../shared/limits';
import { MICROSOFT_SCOPES, MicrosoftOAuthInfo, OAuthCodeRequest } from '../../shared/schemas/microsoft-oauth';
import { Id } from '../../shared/schemas/relay-api';
import type { AuthEnv } from '../middleware/auth';
import { apiError } from '../middleware/errors';
import { validJson } from '../middleware/validate';
import { authorizeUrl } from '../oauth/config';
import { putGrant } from '../oauth/grants';
import { IdentityError, identityFrom, mailboxFor, type MicrosoftIdentity } from '../oauth/identity';
import { grantsSmtpSend, MicrosoftTokenError, type TokenSet } from '../oauth/microsoft';
import { newId } from '../security/tokens';
import { getChannel, insertChannel, listChannels, toView, type ChannelRecord } from '../store/channels';
import type { RouteDeps } from './deps';

/**
 * Office 365 with modern authentication. The extension signs the rep in
 * (authorization code + PKCE) and posts the code here; the relay redeems it,
 * keeps the refresh token sealed, and sends with XOAUTH2.
 *
 * GET  /v1/channels/office365/oauth       how the relay is set up (client id, tenant, authorize URL)
 * POST /v1/channels/office365/oauth       {code, codeVerifier, redirectUri, name?} → 201 the new channel
 *                                         (200 with the existing one when this mailbox is already connected)
 * POST /v1/channels/:id/oauth             {code, codeVerifier, redirectUri} → 200 the channel, reconnected;
 *                                         a password Office 365 channel is switched to OAuth, keeping its queue
 */
export function oauthRoutes(deps: RouteDeps) {
  const app = new Hono<AuthEnv>();
  const { db, clock, box, oauth } = deps;

  app.get('/office365/oauth', (c) => {
    const config = oauth.config;
    return c.json(
      MicrosoftOAuthInfo.parse({
        configured: Boolean(config.clientId),
        ...(config.clientId ? { clientId: config.clientId } : {}),
        tenant: config.tenant,
        authorizeUrl: authorizeUrl(config),
        scopes: [...MICROSOFT_SCOPES],
      }),
    );
  });

  /**
   * Redeems the code and checks what came back: SMTP.Send and a refresh token
   * granted, an id_token for our client naming the token's own address.
   * Answers an error response, or the tokens and who signed in.
   */
  const redeem = async (
    c: Context<AuthEnv>,
    body: OAuthCodeRequest,
  ): Promise<Response | { set: TokenSet & { refreshToken: string }; identity: MicrosoftIdentity; mailbox: string }> => {
    const clientId = oauth.config.clientId;
    if (!clientId) {
      return apiError(c, 422, 'oauth_not_configured', 'this relay is not set up for Office 365 sign-in (RELAY_MS_CLIENT_ID is not set); ask your administrator, or use a password');
    }
    let set: TokenSet;
    try {
      set = await oauth.redeem(body);
    } catch (error) {
      if (!(error instanceof MicrosoftTokenError)) throw error;
      c.get('log').warn('oauth_redeem_failed', { tokenId: c.get('token').id, kind: error.kind, error: error.error, aadCodes: error.aadCodes.join(',') });
      if (error.kind === 'temporary') return apiError(c, 503, 'microsoft_unavailable', `the Microsoft sign-in service could not be reached (${error.message}); try again in a moment`);
      if (error.error === 'invalid_grant') {
        return apiError(c, 400, 'invalid_grant', `Microsoft did not accept the sign-in code (${error.message}); it may have expired or been used already. Connect again.`, 'code');
      }
      return apiError(c, 422, 'oauth_rejected', `Microsoft refused the sign-in (${error.message}). Ask your administrator to check the app registration and the relay's RELAY_MS_CLIENT_ID / RELAY_MS_CLIENT_SECRET.`);
    }
    if (!grantsSmtpSend(set.scopes)) {
      return apiError(c, 422, 'scope_missing', 'Microsoft did not grant permission to send mail (SMTP.Send); ask your administrator to allow it for the app, then connect again');
    }
    if (!set.refreshToken) {
      return apiError(c, 422, 'scope_missing', 'Microsoft did not grant offline access (offline_access), so the relay could not keep sending; connect again and accept all permissions');
    }
    let identity: MicrosoftIdentity;
    try {
      // The id_token's exp is wall-clock time (the relay's clock may be a test's fake one).
      identity = identityFrom(set.idToken, clientId, Date.now());
    } catch (error) {
      if (!(error instanceof IdentityError)) throw error;
      return apiError(c, 422, 'oauth_rejected', `Microsoft's answer could not be used: ${error.message}`);
    }
    const email = c.get('token').email;
    const mailbox = mailboxFor(identity, email);
    if (!mailbox) {
      const who = identity.addresses[0] ?? 'an account without an email address';
      return apiError(c, 403, 'account_mismatch', `you signed in to Microsoft as ${who}, but this relay token belongs to ${email}; sign in with ${email}`);
    }
    return { set: { ...set, refreshToken: set.refreshToken }, identity, mailbox };
  };

  const grantOf = (r: { set: TokenSet & { refreshToken: string }; identity: MicrosoftIdentity }) => ({
    clientId: oauth.config.clientId!,
    tenantId: r.identity.tenantId,
    subject: r.identity.subject,
    refreshToken: r.set.refreshToken,
    accessToken: r.set.accessToken,
    accessObtainedAt: r.set.obtainedAt,
    accessExpiresAt: r.set.expiresAt,
  });

  /** Saves a new grant on an existing channel and puts its queue back to work. */
  const reconnect = async (channel: ChannelRecord, r: Exclude<Awaited<ReturnType<typeof redeem>>, Response>) => {
    const now = Math.max(clock.now(), channel.updatedAt + 1);
    await deps.commits.run(async (trx) => {
      await putGrant(trx, box, channel.id, grantOf(r), now);
      await trx
        .updateTable('channels')
        // A password channel switched to OAuth loses its password for good.
        .set({ auth: 'oauth2', password_enc: '', username: r.mailbox, status: 'active', updated_at: now })
        .where('id', '=', channel.id)
        .execute();
    });
    oauth.forget(channel.id);
    deps.invalidateChannel(channel.id);
    deps.notify();
    return (await getChannel(db, channel.id))!;
  };

  app.post('/office365/oauth', validJson(OAuthCodeRequest), async (c) => {
    const token = c.get('token');
    const body = c.req.valid('json');
    const r = await redeem(c, body);
    if (r instanceof Response) return r;
    // The same mailbox connected again (a second click, another browser): one channel, freshly signed in.
    const existing = (await listChannels(db)).find(
      (ch) => ch.provider === 'office365' && ch.auth === 'oauth2' && ch.ownerTokenId === token.id && ch.username === r.mailbox,
    );
    if (existing) {
      const channel = await reconnect(existing, r);
      c.get('log').info('oauth_channel_reconnected', { channelId: channel.id, tokenId: token.id });
      return c.json(toView(channel), 200);
    }
    const now = clock.now();
    const id = newId('ch');
    const { smtpHost, smtpPort } = oauth.config;
    const record: ChannelRecord = {
      id,
      name: body.name ?? `Office 365 (${r.mailbox})`,
      provider: 'office365',
      host: smtpHost,
      port: smtpPort,
      security: 'starttls',
      username: r.mailbox,
      passwordEnc: '',
      auth: 'oauth2',
      scope: 'personal',
      domains: [],
      ownerTokenId: token.id,
      ownerEmail: token.email,
      limits: PRESET_LIMITS.office365,
      status: 'active',
      heldUntil: null,
      heldReason: null,
      createdAt: now,
      updatedAt: now,
    };
    // Channel and grant together, on disk before the 201: never a channel without its refresh token.
    await deps.commits.run(async (trx) => {
      await insertChannel(trx, record);
      await putGrant(trx, box, id, grantOf(r), now);
    });
    deps.invalidateChannel(id);
    c.get('log').info('oauth_channel_created', { channelId: id, tokenId: token.id });
    return c.json(toView(record), 201);
  });

  app.post('/:id/oauth', validJson(OAuthCodeRequest), async (c) => {
    const token = c.get('token');
    const id = c.req.param('id');
    const channel = Id.safeParse(id).success ? await getChannel(db, id) : undefined;
    if (!channel) return apiError(c, 404, 'not_found', 'no such channel', 'id');
    // Only the rep whose mailbox it is can sign it in again (an admin cannot sign in as them).
    if (channel.ownerTokenId !== token.id) return apiError(c, 403, 'forbidden', 'only the rep who connected this channel can reconnect it');
    if (channel.provider !== 'office365') return apiError(c, 409, 'not_office365', 'only an Office 365 channel can be connected with a Microsoft sign-in', 'id');
    const body = c.req.valid('json');
    if (body.name !== undefined) return apiError(c, 400, 'invalid_request', 'name: rename a channel with PATCH /v1/channels/:id', 'name');
    const r = await redeem(c, body);
    if (r instanceof Response) return r;
    if (channel.auth === 'oauth2' && channel.username !== r.mailbox) {
      return apiError(c, 409, 'account_mismatch', `this channel sends as ${channel.username}; sign in with that account`);
    }
    const updated = await reconnect(channel, r);
    c.get('log').info('oauth_channel_reconnected', { channelId: channel.id, tokenId: token.id, switchedFromPassword: channel.auth !== 'oauth2' });
    return c.json(toView(updated), 200);
  });

  return app;
}
