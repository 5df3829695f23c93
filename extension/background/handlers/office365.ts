import { SendwayError } from '../../../shared/messages/define';
import type { Office365Status } from '../../../shared/messages/office365';
import type { HandlersFor } from '../router';
import { setActiveChannel } from '../active-channel';
import { connectOffice365, office365Status, reconnectOffice365 } from '../microsoft/connect';
import { office365Deps } from '../microsoft';

const LAST_FAILURE = 'office365:lastFailure';
/** How long a failed connect is worth showing when the popup opens again. */
const SHOW_FAILURE_MS = 10 * 60_000;

type LastFailure = NonNullable<Office365Status['lastFailure']>;

async function rememberFailure(failure: Omit<LastFailure, 'at'> | null): Promise<void> {
  if (failure) await browser.storage.session.set({ [LAST_FAILURE]: { at: new Date().toISOString(), ...failure } });
  else await browser.storage.session.remove(LAST_FAILURE);
}

async function recentFailure(): Promise<LastFailure | undefined> {
  const stored = (await browser.storage.session.get(LAST_FAILURE))[LAST_FAILURE] as LastFailure | undefined;
  return stored && Date.now() - Date.parse(stored.at) < SHOW_FAILURE_MS ? stored : undefined;
}

/** Office 365 with Microsoft sign-in (OAuth 2.0): availability, connect, reconnect. Extension pages only. */
export const office365Handlers: HandlersFor<'office365.status' | 'office365.connect' | 'office365.reconnect'> = {
  'office365.status': async () => {
    const [status, lastFailure] = await Promise.all([office365Status(office365Deps()), recentFailure()]);
    return lastFailure ? { ...status, lastFailure } : status;
  },
  'office365.connect': async ({ name }) => {
    let connected;
    try {
      connected = await connectOffice365(office365Deps(), { name });
    } catch (error) {
      // A closed window is the rep's own choice: nothing to report later.
      const body = error instanceof SendwayError ? error.toBody() : { code: 'internal', message: String(error) };
      await rememberFailure(body.code === 'cancelled' ? null : { error: body });
      throw error;
    }
    await rememberFailure(connected.result.ok ? null : { result: connected.result });
    // The popup usually closes while Microsoft's window has focus: the background makes the new channel the one in use.
    if (connected.channelId && connected.result.ok) await setActiveChannel(connected.channelId);
    return connected;
  },
  'office365.reconnect': ({ channelId }) => reconnectOffice365(office365Deps(), channelId),
};
