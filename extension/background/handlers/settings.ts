import type { HandlersFor } from '../router';
import { getEffectiveSettings, updateLocalSettings } from '../settings';

export const settingsHandlers: HandlersFor<'settings.get' | 'settings.update'> = {
  'settings.get': () => getEffectiveSettings(),
  'settings.update': async (patch) => {
    await updateLocalSettings(patch);
    return getEffectiveSettings();
  },
};
