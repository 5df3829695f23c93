import { createGmailDriver } from '../../compose/gmail';
import { mountSidebars } from '../../sidebar/mount';
import { watchReplies } from '../../replies/watch';

/** Gmail: a Sendway sidebar for every compose (new message, pop-out, inline reply). */
export default defineContentScript({
  matches: ['https://mail.google.com/*'],
  // The sidebar's CSS is passed to each shadow root as a string: no per-compose fetch.
  cssInjectionMode: 'manual',
  async main(ctx) {
    // Replies from contacts in a sequence stop their follow-ups.
    watchReplies({ webmail: 'gmail', signal: ctx.signal });
    await mountSidebars(ctx, createGmailDriver());
  },
});
