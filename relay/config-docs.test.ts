import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Env } from './config';

/** Names in the first column of the README's "Relay configuration" table (a row may name several). */
function documented(): Set<string> {
  const readme = fs.readFileSync(path.resolve('README.md'), 'utf8');
  const start = readme.indexOf('\n## Relay configuration');
  expect(start).toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 5);
  const rows = readme.slice(start, end).split('\n').filter((l) => l.startsWith('| `'));
  return new Set(rows.flatMap((r) => [...r.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!)));
}

/** Every environment variable name the relay's code mentions (config.ts, oauth/config.ts, anything added later). */
function readByCode(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|mjs)$/.test(e.name) && !/\.test\.ts$/.test(e.name)) {
        for (const m of fs.readFileSync(p, 'utf8').matchAll(/\b(RELAY_[A-Z0-9_]*[A-Z0-9]|DATABASE_URL)\b/g)) names.add(m[1]!);
      }
    }
  };
  walk(path.resolve('relay'));
  return names;
}

describe('README configuration table', () => {
  it('documents every variable in relay/config.ts Env', () => {
    const docs = documented();
    const missing = Object.keys(Env.shape).filter((k) => !docs.has(k));
    expect(missing, 'add a row to README "Relay configuration"').toEqual([]);
  });

  it('documents every RELAY_* variable the relay code mentions (RELAY_MS_* live in oauth/config.ts)', () => {
    const docs = documented();
    expect([...readByCode()].filter((k) => !docs.has(k)).sort()).toEqual([]);
  });

  it('documents nothing the relay does not read', () => {
    const known = new Set([...Object.keys(Env.shape), ...readByCode()]);
    expect([...documented()].filter((k) => !known.has(k))).toEqual([]);
  });
});
