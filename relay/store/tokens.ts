import type { RelayDb } from '../db';
import { hashToken, newId, newToken } from '../security/tokens';
import { prepared } from './prepared';

export interface TokenRecord {
  id: string;
  email: string;
  admin: boolean;
}

/** Creates a token; only its hash is stored, the token itself is returned once. */
export async function createToken(db: RelayDb, email: string, admin: boolean, now: number): Promise<TokenRecord & { token: string }> {
  const token = newToken();
  const id = newId('tok');
  const normalised = email.trim().toLowerCase();
  await db.insertInto('tokens').values({ id, email: normalised, admin: admin ? 1 : 0, hash: hashToken(token), created_at: now, revoked_at: null }).execute();
  return { id, email: normalised, admin, token };
}

/** Every authenticated request runs it. */
const tokenByHash = prepared<{ hash: string }, { id: string; email: string; admin: number }>((db, v) =>
  db.selectFrom('tokens').select(['id', 'email', 'admin']).where('hash', '=', v.hash).where('revoked_at', 'is', null),
);

export async function findToken(db: RelayDb, token: string): Promise<TokenRecord | undefined> {
  const row = (await tokenByHash(db, { hash: hashToken(token) })).rows[0];
  return row ? { id: row.id, email: row.email, admin: row.admin === 1 } : undefined;
}

export async function revokeToken(db: RelayDb, id: string, now: number): Promise<boolean> {
  const r = await db.updateTable('tokens').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function revokeTokensOf(db: RelayDb, email: string, now: number): Promise<number> {
  const r = await db
    .updateTable('tokens')
    .set({ revoked_at: now })
    .where('email', '=', email.trim().toLowerCase())
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function listTokens(db: RelayDb) {
  const rows = await db.selectFrom('tokens').select(['id', 'email', 'admin', 'created_at', 'revoked_at']).orderBy('created_at').execute();
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    admin: r.admin === 1,
    createdAt: new Date(r.created_at).toISOString(),
    revokedAt: r.revoked_at === null ? undefined : new Date(r.revoked_at).toISOString(),
  }));
}
