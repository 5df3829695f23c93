import type { HandlersFor } from '../router';
import { deleteTemplate, listTemplates, saveTemplate } from '../templates';

export const templateHandlers: HandlersFor<'templates.list' | 'templates.save' | 'templates.delete'> = {
  'templates.list': async () => ({ templates: await listTemplates() }),
  'templates.save': (input) => saveTemplate(input),
  'templates.delete': async ({ id }) => ({ deleted: await deleteTemplate(id) }),
};
