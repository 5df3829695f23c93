import type { HandlersFor } from '../router';
import { connectOffice365, office365Status, reconnectOffice365 } from '../microsoft/connect';
import { office365Deps } from '../microsoft';

/** Office 365 with Microsoft sign-in (OAuth 2.0): availability, connect, reconnect. Extension pages only. */
export const office365Handlers: HandlersFor<'office365.status' | 'office365.connect' | 'office365.reconnect'> = {
  'office365.status': () => office365Status(office365Deps()),
  'office365.connect': ({ name }) => connectOffice365(office365Deps(), { name }),
  'office365.reconnect': ({ channelId }) => reconnectOffice365(office365Deps(), channelId),
};
