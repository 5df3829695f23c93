import { createOutlookDriver } from '../../compose/outlook';
import { mountSidebars } from '../../sidebar/mount';
import { watchReplies } from '../../replies/watch';

/** Outlook on the web: a Sendway sidebar for every compose (new message, inline reply, pop-out). */
export default defineContentScript({
  matches: ['https://outlook.office.com/*', 'https://outlook.office365.com/*', 'https://outlook.live.com/*'],
  cssInjectionMode: 'manual',
  async main(ctx) {
    // Replies from contacts in a sequence stop their follow-ups.
    watchReplies({ webmail: 'outlook', signal: ctx.signal });
    await mountSidebars(ctx, createOutlookDriver());
  },
});
