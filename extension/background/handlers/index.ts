import type { Handlers } from '../router';
import { coreHandlers } from './core';
import { settingsHandlers } from './settings';
import { channelHandlers } from './channels';
import { gmailHandlers } from './gmail';
import { relayHandlers } from './relay';
import { office365Handlers } from './office365';
import { templateHandlers } from './templates';
import { sequenceHandlers } from './sequences';
import { deliverabilityHandlers } from './deliverability';

/** The handler map: one entry per message in shared/messages. TypeScript checks it is complete. */
export const handlers: Handlers = {
  ...coreHandlers,
  ...settingsHandlers,
  ...channelHandlers,
  ...gmailHandlers,
  ...relayHandlers,
  ...office365Handlers,
  ...templateHandlers,
  ...sequenceHandlers,
  ...deliverabilityHandlers,
};
