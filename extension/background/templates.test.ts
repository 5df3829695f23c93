import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { deleteTemplate, listTemplates, saveTemplate } from './templates';
import { fieldsUsed, unknownFields } from '../../shared/templates';
import { installMessages } from '../sidebar/testing/i18n-stub';

describe('template store', () => {
  beforeEach(async () => {
    fakeBrowser.reset();
    await installMessages();
  });

  it('seeds two starter templates on first run, using only known merge fields', async () => {
    const list = await listTemplates();
    expect(list.map((t) => t.id).sort()).toEqual(['starter-follow-up', 'starter-intro']);
    for (const t of list) {
      expect(t.subject.length).toBeGreaterThan(0);
      expect(unknownFields(fieldsUsed(t.subject, t.body))).toEqual([]);
    }
  });

  it('seeds the starters in Dutch for a Dutch browser', async () => {
    await installMessages('nl');
    const list = await listTemplates();
    expect(list.map((t) => t.name)).toEqual(['Kennismaking', 'Opvolging']);
    for (const t of list) expect(unknownFields(fieldsUsed(t.subject, t.body))).toEqual([]);
  });

  it('does not re-seed after the rep deleted the starters', async () => {
    await listTemplates();
    expect(await deleteTemplate('starter-intro')).toBe(true);
    expect(await deleteTemplate('starter-follow-up')).toBe(true);
    expect(await listTemplates()).toEqual([]);
    expect(await deleteTemplate('starter-intro')).toBe(false);
  });

  it('creates and updates templates, stamping id and time', async () => {
    const created = await saveTemplate({ name: 'Demo', subject: 'Hi {{ first_name }}', body: 'Body' });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    const updated = await saveTemplate({ ...created, name: 'Demo 2' });
    const list = await listTemplates();
    expect(list.filter((t) => t.id === created.id)).toEqual([updated]);
    expect(updated.name).toBe('Demo 2');
  });

  it('refuses a subject with a line break, naming the field', async () => {
    await expect(saveTemplate({ name: 'x', subject: 'a\r\nBcc: evil@example.com', body: '' })).rejects.toThrow(/line breaks/);
  });

  it('ignores corrupt stored entries instead of failing every read', async () => {
    await listTemplates();
    const stored = (await fakeBrowser.storage.local.get('templates')).templates as unknown[];
    await fakeBrowser.storage.local.set({ templates: [...stored, { id: 'bad id!', name: 3 }] });
    expect(await listTemplates()).toHaveLength(2);
  });
});
