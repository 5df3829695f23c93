import { createRouter } from '../background/router';
import { handlers } from '../background/handlers';
import { installGmailChannel } from '../background/gmail';
import { registerProvider } from '../background/channels/registry';
import { createRelayProvider } from '../background/relay/provider';
import { installSequences } from '../background/sequences';

export default defineBackground(() => {
  registerProvider(createRelayProvider());
  installGmailChannel();
  // After the Gmail channel: its outbox recovers first, then sequences catch up through it.
  installSequences();
  const route = createRouter(handlers, browser.runtime.getURL('/'), browser.runtime.id);

  // The background is the single owner of state: every context asks it.
  browser.runtime.onMessage.addListener((message, sender) => route(message, sender));
});
