import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateChromeMessages, parseMessagesFile } from '@wxt-dev/i18n/build';

const load = async (l: string) => generateChromeMessages(await parseMessagesFile(path.resolve('extension/locales', `${l}.yml`)));
const placeholders = (m: string) => [...new Set(m.match(/\$\d/g) ?? [])].sort().join(',');

describe('popup and options translations', () => {
  it('has every English message in Dutch too, with the same placeholders', async () => {
    const [en, nl] = await Promise.all([load('en'), load('nl')]);
    const ours = Object.keys(en).filter((k) => /^(popup|options)_/.test(k));
    expect(ours.length).toBeGreaterThan(200);
    const missing = ours.filter((k) => !nl[k]?.message);
    expect(missing).toEqual([]);
    const mismatched = ours.filter((k) => placeholders(en[k]!.message) !== placeholders(nl[k]!.message));
    expect(mismatched).toEqual([]);
    const extra = Object.keys(nl).filter((k) => /^(popup|options)_/.test(k) && !en[k]);
    expect(extra).toEqual([]);
  });

  it('says in each language which language it is (dates and numbers follow it)', async () => {
    const [en, nl] = await Promise.all([load('en'), load('nl')]);
    expect(en.popup_locale?.message).toBe('en');
    expect(nl.popup_locale?.message).toBe('nl');
  });
});
