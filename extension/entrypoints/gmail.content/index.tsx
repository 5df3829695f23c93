import { createGmailDriver } from '../../compose/gmail';
import { mountSidebars } from '../../sidebar/mount';

/** Gmail: a Sendway sidebar for every compose (new message, pop-out, inline reply). */
export default defineContentScript({
  matches: ['https://mail.google.com/*'],
  // The sidebar's CSS is passed to each shadow root as a string: no per-compose fetch.
  cssInjectionMode: 'manual',
  async main(ctx) {
    await mountSidebars(ctx, createGmailDriver());
  },
});
