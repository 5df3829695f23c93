import { createRouter } from '../background/router';
import { handlers } from '../background/handlers';

export default defineBackground(() => {
  const route = createRouter(handlers, browser.runtime.getURL('/'), browser.runtime.id);

  // The background is the single owner of state: every context asks it.
  browser.runtime.onMessage.addListener((message, sender) => route(message, sender));
});
