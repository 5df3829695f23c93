import { createOutlookDriver } from '../../compose/outlook';
import { mountSidebars } from '../../sidebar/mount';

/** Outlook on the web: a Sendway sidebar for every compose (new message, inline reply, pop-out). */
export default defineContentScript({
  matches: ['https://outlook.office.com/*', 'https://outlook.office365.com/*', 'https://outlook.live.com/*'],
  cssInjectionMode: 'manual',
  async main(ctx) {
    await mountSidebars(ctx, createOutlookDriver());
  },
});
