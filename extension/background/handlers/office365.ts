import type { HandlersFor } from '../router';
import { setActiveChannel } from '../active-channel';
import { connectOffice365, office365Status, reconnectOffice365 } from '../microsoft/connect';
import { office365Deps } from '../microsoft';

/** Office 365 with Microsoft sign-in (OAuth 2.0): availability, connect, reconnect. Extension pages only. */
export const office365Handlers: HandlersFor<'office365.status' | 'office365.connect' | 'office365.reconnect'> = {
  'office365.status': () => office365Status(office365Deps()),
  'office365.connect': async ({ name }) => {
    const connected = await connectOffice365(office365Deps(), { name });
    // The popup usually closes while Microsoft's window has focus: the background makes the new channel the one in use.
    if (connected.channelId && connected.result.ok) await setActiveChannel(connected.channelId);
    return connected;
  },
  'office365.reconnect': ({ channelId }) => reconnectOffice365(office365Deps(), channelId),
};
