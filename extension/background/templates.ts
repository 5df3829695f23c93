import { z } from 'zod';
import { Template, type TemplateInput } from '../../shared/messages/templates';
import { i18n } from '#i18n';

const KEY = 'templates';
const SEEDED_KEY = 'templates.seeded';

/** The stored list; anything that no longer validates is dropped rather than crashing every reader. */
async function readAll(): Promise<Template[]> {
  const raw = (await browser.storage.local.get(KEY))[KEY];
  const parsed = z.array(z.unknown()).safeParse(raw ?? []);
  if (!parsed.success) return [];
  return parsed.data.flatMap((t) => {
    const one = Template.safeParse(t);
    return one.success ? [one.data] : [];
  });
}

/** Two starter templates on first run (not again after the rep deletes them). */
function starterTemplates(now: string): Template[] {
  return [
    {
      id: 'starter-intro',
      name: i18n.t('sidebar.starter.introName'),
      subject: i18n.t('sidebar.starter.introSubject'),
      body: i18n.t('sidebar.starter.introBody'),
      updatedAt: now,
    },
    {
      id: 'starter-follow-up',
      name: i18n.t('sidebar.starter.followUpName'),
      subject: i18n.t('sidebar.starter.followUpSubject'),
      body: i18n.t('sidebar.starter.followUpBody'),
      updatedAt: now,
    },
  ];
}

let seeding: Promise<void> | undefined;
async function ensureSeeded(): Promise<void> {
  seeding ??= (async () => {
    const seeded = (await browser.storage.local.get(SEEDED_KEY))[SEEDED_KEY];
    if (seeded === true) return;
    const existing = await readAll();
    await browser.storage.local.set({ [KEY]: existing.length ? existing : starterTemplates(new Date().toISOString()), [SEEDED_KEY]: true });
  })().finally(() => {
    seeding = undefined;
  });
  return seeding;
}

export async function listTemplates(): Promise<Template[]> {
  await ensureSeeded();
  return (await readAll()).sort((a, b) => a.name.localeCompare(b.name));
}

export async function saveTemplate(input: TemplateInput): Promise<Template> {
  await ensureSeeded();
  const all = await readAll();
  const template = Template.parse({ ...input, id: input.id ?? crypto.randomUUID(), updatedAt: new Date().toISOString() });
  const index = all.findIndex((t) => t.id === template.id);
  if (index >= 0) all[index] = template;
  else all.push(template);
  await browser.storage.local.set({ [KEY]: all });
  return template;
}

export async function deleteTemplate(id: string): Promise<boolean> {
  await ensureSeeded();
  const all = await readAll();
  const rest = all.filter((t) => t.id !== id);
  if (rest.length === all.length) return false;
  await browser.storage.local.set({ [KEY]: rest });
  return true;
}
