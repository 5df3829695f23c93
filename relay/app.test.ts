import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type RelayDb } from './db';
import { createApp } from './app';

describe('relay app', () => {
  let db: RelayDb | undefined;
  afterEach(async () => db?.destroy());

  it('answers /healthz with JSON after creating its database', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sendway-relay-'));
    const opened = await openSqlite(dir);
    db = opened.db;
    expect(fs.existsSync(opened.file)).toBe(true);
    const res = await createApp({ db, version: '1.2.3' }).request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', version: '1.2.3' });
  });
});
