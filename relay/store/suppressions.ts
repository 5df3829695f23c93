import crypto from 'node:crypto';
import { sql } from 'kysely';
import { addressOf, type MailContent } from '../../shared/schemas/mail';
import type { Suppression, SuppressionSource } from '../../shared/schemas/unsubscribe';
import { domainOf } from '../auth/access';
import { dialectOf, type RelayDb } from '../db';
import type { SecretBox } from '../security/secrets';
import type { GroupCommit } from './group-commit';
import { prepared } from './prepared';
import { WAITING_M_SQL, WAITING_SQL } from './waiting';

const KEY_META = 'unsubscribe_key';

/**
 * The HMAC key behind unsubscribe links: 32 random bytes made once, kept in
 * the meta table sealed under the relay's secret key (so a copy of the
 * database alone cannot mint links), and cached for the process.
 */
export async function unsubscribeKey(db: RelayDb, box: SecretBox): Promise<Buffer> {
  const read = () => db.selectFrom('meta').select('value').where('key', '=', KEY_META).executeTakeFirst();
  let row = await read();
  if (!row) {
    const fresh = box.seal(crypto.randomBytes(32).toString('hex'), `meta:${KEY_META}`);
    // Two first requests at once: one insert wins and both read the winner.
    await db.insertInto('meta').values({ key: KEY_META, value: fresh }).onConflict((oc) => oc.column('key').doNothing()).execute();
    row = await read();
  }
  return Buffer.from(box.open(row!.value, `meta:${KEY_META}`), 'hex');
}

type SuppressionRow = { address: string; domain: string; source: string; created_at: number };

const view = (r: SuppressionRow): Suppression => ({
  address: r.address,
  domain: r.domain,
  source: r.source as SuppressionSource,
  createdAt: new Date(r.created_at).toISOString(),
});

/** Every recipient of a message (To, Cc and Bcc), lower-case and once each. */
export function recipientsOf(m: Pick<MailContent, 'to' | 'cc' | 'bcc'>): string[] {
  return [...new Set([...m.to, ...(m.cc ?? []), ...(m.bcc ?? [])].map((a) => addressOf(a).toLowerCase()))];
}

/** Up to this many recipients are looked up one prepared statement each; more go in one `in (…)` query. */
const ONE_BY_ONE = 8;

const suppressionOf = prepared<{ domain: string; address: string }, SuppressionRow>((db, v) =>
  db.selectFrom('suppressions').selectAll().where('domain', '=', v.domain).where('address', '=', v.address),
);

export async function suppressedAmong(db: RelayDb, domain: string, addresses: readonly string[]): Promise<Suppression[]> {
  const d = domain.toLowerCase();
  // Once each, in any letter case: a list may name one address twice.
  const list = [...new Set(addresses.map((a) => a.toLowerCase()))];
  if (!list.length) return [];
  if (list.length <= ONE_BY_ONE) {
    // Checked for every message accepted, nearly always for one to a few recipients: a prepared statement per
    // address costs a few µs each, where building the `in (…)` list's statement anew costs several times that.
    const hits: Suppression[] = [];
    for (const address of list) {
      const { rows } = await suppressionOf(db, { domain: d, address });
      if (rows[0]) hits.push(view(rows[0]));
    }
    return hits;
  }
  const rows = await db.selectFrom('suppressions').selectAll().where('domain', '=', d).where('address', 'in', list).execute();
  return rows.map(view);
}

/**
 * Why a message may not be sent (a recipient unsubscribed from mail of the
 * sender's domain), or null. Checked when the relay accepts a message.
 */
export async function suppressionDenial(db: RelayDb, m: Pick<MailContent, 'from' | 'to' | 'cc' | 'bcc'>): Promise<{ message: string; field: string } | null> {
  const domain = domainOf(addressOf(m.from));
  const hits = await suppressedAmong(db, domain, recipientsOf(m));
  if (!hits.length) return null;
  const who = hits.map((h) => h.address).join(', ');
  const field = m.to.some((a) => addressOf(a).toLowerCase() === hits[0]!.address) ? 'to' : m.cc?.some((a) => addressOf(a).toLowerCase() === hits[0]!.address) ? 'cc' : 'bcc';
  return {
    message: `${who} unsubscribed from mail sent from ${domain}; nothing was sent. An administrator can lift this (DELETE /v1/suppressions).`,
    field,
  };
}

/**
 * Puts addresses on the suppression list for `domain` and cancels every
 * message still waiting (scheduled, queued or retrying) from that domain to
 * any of them: follow-ups handed to the relay in advance must not go out.
 * Returns which were new and how many waiting messages were cancelled.
 */
export async function suppress(
  commits: GroupCommit,
  domain: string,
  addresses: readonly string[],
  source: SuppressionSource,
  now: number,
): Promise<{ added: string[]; cancelled: number }> {
  const d = domain.toLowerCase();
  const list = [...new Set(addresses.map((a) => a.toLowerCase()))];
  // Durable (fsynced) before the page says "you are unsubscribed".
  return commits.run(async (trx) => {
    const added: string[] = [];
    for (const address of list) {
      const r = await trx
        .insertInto('suppressions')
        .values({ domain: d, address, source, created_at: now })
        .onConflict((oc) => oc.columns(['domain', 'address']).doNothing())
        .executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0) > 0) added.push(address);
    }
    let cancelled = 0;
    for (const address of list) {
      // A substring test rather than LIKE: an address may contain % or _. SQLite spells it instr, PostgreSQL strpos.
      const contains = dialectOf(trx) === 'postgres' ? sql<boolean>`strpos(p.payload, ${address}) > 0` : sql<boolean>`instr(p.payload, ${address}) > 0`;
      const candidates = await trx
        .selectFrom('messages as m')
        .innerJoin('message_payloads as p', 'p.message_id', 'm.id')
        .select(['m.id as id', 'p.payload as payload'])
        .where(WAITING_M_SQL)
        .where(contains)
        .execute();
      const ids = candidates
        .filter((c) => {
          try {
            const m = JSON.parse(c.payload) as MailContent;
            return domainOf(addressOf(m.from)) === d && recipientsOf(m).includes(address);
          } catch {
            return false;
          }
        })
        .map((c) => c.id);
      if (!ids.length) continue;
      // One primary-key update per message: a long `id in (…)` beside the status test makes SQLite read the status index instead.
      for (const id of ids) {
        const u = await trx
          .updateTable('messages')
          .set({ status: 'cancelled', last_error: `not sent: ${address} unsubscribed`, updated_at: now })
          .where('id', '=', id)
          .where(WAITING_SQL)
          .executeTakeFirst();
        cancelled += Number(u.numUpdatedRows);
      }
    }
    return { added, cancelled };
  });
}

export async function unsuppress(db: RelayDb, domain: string, addresses: readonly string[]): Promise<number> {
  const r = await db
    .deleteFrom('suppressions')
    .where('domain', '=', domain.toLowerCase())
    .where(
      'address',
      'in',
      addresses.map((a) => a.toLowerCase()),
    )
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function listSuppressions(db: RelayDb, domain: string | undefined, limit: number): Promise<Suppression[]> {
  let q = db.selectFrom('suppressions').selectAll();
  if (domain) q = q.where('domain', '=', domain.toLowerCase());
  return (await q.orderBy('created_at', 'desc').limit(limit).execute()).map(view);
}
