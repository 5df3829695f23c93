/**
 * npm run relay:token -- --email rep@example.com [--admin]
 * npm run relay:token -- --revoke rep@example.com
 * Creates a token in the relay's database (RELAY_DATA_DIR) and prints it as
 * the last line of stdout. Only its hash is stored: it cannot be shown again.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../config';
import { openDatabase } from '../db';
import { createToken, revokeTokensOf } from '../store/tokens';

const Email = z.email();

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: { email: { type: 'string' }, admin: { type: 'boolean', default: false }, revoke: { type: 'string' }, help: { type: 'boolean' } },
      strict: true,
    }));
  } catch (error) {
    console.error((error as Error).message);
    values = { help: true } as { help: boolean; email?: string; admin?: boolean; revoke?: string };
  }
  if (values.help || (!values.email && !values.revoke)) {
    console.error('usage: npm run relay:token -- --email rep@example.com [--admin]\n       npm run relay:token -- --revoke rep@example.com');
    process.exit(2);
  }
  const config = loadConfig();
  const { db, close } = await openDatabase(config);
  try {
    if (values.revoke) {
      if (!Email.safeParse(values.revoke).success) throw new Error(`--revoke: "${values.revoke}" is not an email address`);
      const n = await revokeTokensOf(db, values.revoke, Date.now());
      console.log(`revoked ${n} token(s) of ${values.revoke.toLowerCase()}`);
      return;
    }
    if (!Email.safeParse(values.email).success) throw new Error(`--email: "${values.email}" is not an email address`);
    const t = await createToken(db, values.email!, values.admin ?? false, Date.now());
    console.error(`token for ${t.email}${t.admin ? ' (admin)' : ''} created in ${config.databaseUrl ? 'the PostgreSQL database (DATABASE_URL)' : config.dataDir}; store it now, it is not shown again:`);
    console.log(t.token);
  } finally {
    await close();
  }
}

main().catch((error) => {
  console.error(`relay:token: ${(error as Error).message}`);
  process.exit(1);
});
