import { coreMessages } from './core';
import { settingsMessages } from './settings';
import { channelMessages } from './channels';
import { gmailMessages } from './gmail';
import { relayMessages } from './relay';
import { office365Messages } from './office365';
import { templateMessages } from './templates';
import { sequenceMessages } from './sequences';
import { deliverabilityMessages } from './deliverability';

/**
 * Every message the background answers. Each feature keeps its definitions in
 * its own file; this map is the registry.
 */
export const messages = {
  ...coreMessages,
  ...settingsMessages,
  ...channelMessages,
  ...gmailMessages,
  ...relayMessages,
  ...office365Messages,
  ...templateMessages,
  ...sequenceMessages,
  ...deliverabilityMessages,
};

export type Messages = typeof messages;
export type MessageType = keyof Messages;
export * from './define';
