import { z } from 'zod';
import { defineMessages } from './define';
import { EffectiveSettings, LocalSettings } from '../schemas/settings';

export const settingsMessages = defineMessages({
  'settings.get': {
    request: z.object({}).strict(),
    response: EffectiveSettings,
    trusted: true,
  },
  'settings.update': {
    request: LocalSettings,
    response: EffectiveSettings,
    trusted: true,
  },
});
