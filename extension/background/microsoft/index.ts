import { accountOf, openConnection } from '../relay/connection';
import { clearChannelCache } from '../relay/provider';
import { getEffectiveSettings } from '../settings';
import type { Office365Deps } from './connect';

/** The browser's side of Office 365 sign-in: identity.launchWebAuthFlow, settings and the relay connection. */
export function office365Deps(): Office365Deps {
  return {
    launchWebAuthFlow: (details) => browser.identity.launchWebAuthFlow(details),
    redirectUrl: () => browser.identity.getRedirectURL(),
    settings: async () => (await getEffectiveSettings()).values,
    relay: async () => {
      const conn = await openConnection();
      return conn ? { client: conn.client, account: () => accountOf(conn) } : null;
    },
    channelsChanged: clearChannelCache,
  };
}
