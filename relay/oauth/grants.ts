import type { RelayDb } from '../db';
import type { SecretBox } from '../security/secrets';

/**
 * An OAuth channel's grant as stored: the refresh token and the current
 * access token are sealed with the same AES-256-GCM box as SMTP passwords,
 * bound to "<channel id>:refresh" / "<channel id>:access" so a ciphertext
 * moved to another row or column does not open.
 */
export interface StoredGrant {
  channelId: string;
  clientId: string;
  tenantId: string | null;
  subject: string;
  refreshToken: string;
  accessToken: string | null;
  accessExpiresAt: number | null;
  accessObtainedAt: number | null;
  generation: number;
}

export interface NewGrant {
  clientId: string;
  tenantId: string | undefined;
  subject: string;
  refreshToken: string;
  accessToken: string;
  accessObtainedAt: number;
  accessExpiresAt: number;
}

const aad = (channelId: string, part: 'refresh' | 'access') => `${channelId}:${part}`;

export async function loadGrant(db: RelayDb, box: SecretBox, channelId: string): Promise<StoredGrant | undefined> {
  const row = await db.selectFrom('oauth_grants').selectAll().where('channel_id', '=', channelId).executeTakeFirst();
  if (!row) return undefined;
  return {
    channelId,
    clientId: row.client_id,
    tenantId: row.tenant_id,
    subject: row.subject,
    refreshToken: box.open(row.refresh_enc, aad(channelId, 'refresh')),
    accessToken: row.access_enc ? box.open(row.access_enc, aad(channelId, 'access')) : null,
    accessExpiresAt: row.access_expires_at,
    accessObtainedAt: row.access_obtained_at,
    generation: row.generation,
  };
}

/** A new sign-in (connect or reconnect): replaces whatever grant the channel had. */
export async function putGrant(db: RelayDb, box: SecretBox, channelId: string, g: NewGrant, now: number): Promise<void> {
  const values = {
    issuer: 'microsoft',
    client_id: g.clientId,
    tenant_id: g.tenantId ?? null,
    subject: g.subject,
    refresh_enc: box.seal(g.refreshToken, aad(channelId, 'refresh')),
    access_enc: box.seal(g.accessToken, aad(channelId, 'access')),
    access_expires_at: g.accessExpiresAt,
    access_obtained_at: g.accessObtainedAt,
    updated_at: now,
  };
  await db
    .insertInto('oauth_grants')
    .values({ channel_id: channelId, generation: 1, created_at: now, ...values })
    .onConflict((oc) => oc.column('channel_id').doUpdateSet((eb) => ({ ...values, generation: eb('oauth_grants.generation', '+', 1) })))
    .execute();
}

/**
 * Saves a refresh's result: the new access token and, when Microsoft rotated
 * it, the new refresh token, in one durable write. Only if the grant is still
 * the one refreshed (same generation): a reconnect that happened meanwhile wins.
 */
export async function saveRefreshed(
  db: RelayDb,
  box: SecretBox,
  channelId: string,
  from: number,
  r: { refreshToken: string | undefined; accessToken: string; obtainedAt: number; expiresAt: number },
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('oauth_grants')
    .set({
      ...(r.refreshToken ? { refresh_enc: box.seal(r.refreshToken, aad(channelId, 'refresh')) } : {}),
      access_enc: box.seal(r.accessToken, aad(channelId, 'access')),
      access_expires_at: r.expiresAt,
      access_obtained_at: r.obtainedAt,
      generation: from + 1,
      updated_at: now,
    })
    .where('channel_id', '=', channelId)
    .where('generation', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
