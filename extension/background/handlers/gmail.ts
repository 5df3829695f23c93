import type { HandlersFor } from '../router';
import { gmailChannel } from '../gmail';

/** Sign in with Google, sign out (revokes), and the status the popup shows. Extension pages only. */
export const gmailHandlers: HandlersFor<'gmail.status' | 'gmail.connect' | 'gmail.disconnect'> = {
  'gmail.status': () => gmailChannel().status(),
  'gmail.connect': () => gmailChannel().connect(),
  'gmail.disconnect': () => gmailChannel().disconnect(),
};
