import type { Selectable } from 'kysely';
import { LimitSpec } from '../../shared/limits';
import type { Channel, Provider, Security } from '../../shared/schemas/relay-api';
import type { RelayDb } from '../db';
import type { ChannelsTable } from '../schema';
import { prepared } from './prepared';
import { WAITING_SQL } from './waiting';

/** A channel row with its JSON columns parsed. `passwordEnc` stays sealed until the transport needs it. */
export interface ChannelRecord {
  id: string;
  name: string;
  provider: Provider;
  host: string;
  port: number;
  security: Security;
  username: string;
  passwordEnc: string;
  /** 'oauth2': Office 365 with modern authentication, tokens in oauth_grants (relay/oauth); passwordEnc is empty. */
  auth?: 'password' | 'oauth2';
  scope: 'personal' | 'domain';
  domains: string[];
  ownerTokenId: string;
  ownerEmail: string;
  limits: LimitSpec;
  status: 'active' | 'needs_reconnect';
  heldUntil: number | null;
  heldReason: string | null;
  createdAt: number;
  updatedAt: number;
}

export function toRecord(r: Selectable<ChannelsTable>): ChannelRecord {
  return {
    id: r.id,
    name: r.name,
    provider: r.provider as Provider,
    host: r.host,
    port: r.port,
    security: r.security as Security,
    username: r.username,
    passwordEnc: r.password_enc,
    auth: r.auth === 'oauth2' ? 'oauth2' : 'password',
    scope: r.scope as ChannelRecord['scope'],
    domains: JSON.parse(r.domains) as string[],
    ownerTokenId: r.owner_token_id,
    ownerEmail: r.owner_email,
    limits: LimitSpec.parse(JSON.parse(r.limits)),
    status: r.status as ChannelRecord['status'],
    heldUntil: r.held_until,
    heldReason: r.held_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The API view: never the password. */
export function toView(c: ChannelRecord): Channel {
  return {
    id: c.id,
    name: c.name,
    provider: c.provider,
    host: c.host,
    port: c.port,
    security: c.security,
    username: c.username,
    auth: c.auth ?? 'password',
    scope: c.scope,
    domains: c.domains,
    ownerEmail: c.ownerEmail,
    limits: c.limits,
    status: c.status,
    createdAt: new Date(c.createdAt).toISOString(),
  };
}

export async function insertChannel(db: RelayDb, c: ChannelRecord): Promise<void> {
  await db
    .insertInto('channels')
    .values({
      id: c.id,
      name: c.name,
      provider: c.provider,
      host: c.host,
      port: c.port,
      security: c.security,
      username: c.username,
      password_enc: c.passwordEnc,
      auth: c.auth ?? 'password',
      scope: c.scope,
      domains: JSON.stringify(c.domains),
      owner_token_id: c.ownerTokenId,
      owner_email: c.ownerEmail,
      limits: JSON.stringify(c.limits),
      status: c.status,
      held_until: c.heldUntil,
      held_reason: c.heldReason,
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      deleted_at: null,
    })
    .execute();
}

/** Every message accepted runs it. */
const channelById = prepared<{ id: string }, Selectable<ChannelsTable>>((db, v) => db.selectFrom('channels').selectAll().where('id', '=', v.id).where('deleted_at', 'is', null));

export async function getChannel(db: RelayDb, id: string): Promise<ChannelRecord | undefined> {
  const row = (await channelById(db, { id })).rows[0];
  return row ? toRecord(row) : undefined;
}

export async function listChannels(db: RelayDb): Promise<ChannelRecord[]> {
  const rows = await db.selectFrom('channels').selectAll().where('deleted_at', 'is', null).orderBy('created_at').execute();
  return rows.map(toRecord);
}

export async function setChannelStatus(db: RelayDb, id: string, status: ChannelRecord['status'], now: number): Promise<void> {
  await db.updateTable('channels').set({ status, updated_at: now }).where('id', '=', id).execute();
}

export async function holdChannel(db: RelayDb, id: string, until: number | null, reason: string | null, now: number): Promise<void> {
  await db.updateTable('channels').set({ held_until: until, held_reason: reason, updated_at: now }).where('id', '=', id).execute();
}

/**
 * Soft delete: the row stays for the messages that name it, but its secret is
 * wiped and its unsent mail is cancelled in the same transaction.
 */
export async function deleteChannel(db: RelayDb, id: string, now: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('channels').set({ deleted_at: now, password_enc: '', updated_at: now }).where('id', '=', id).execute();
    await trx.deleteFrom('oauth_grants').where('channel_id', '=', id).execute();
    await trx
      .updateTable('messages')
      .set({ status: 'cancelled', last_error: 'channel deleted', updated_at: now })
      .where('channel_id', '=', id)
      .where(WAITING_SQL)
      .execute();
  });
}
