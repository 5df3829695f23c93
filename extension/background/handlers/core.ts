import type { HandlersFor } from '../router';

export const coreHandlers: HandlersFor<'ping'> = {
  ping: async () => ({ version: browser.runtime.getManifest().version }),
};
