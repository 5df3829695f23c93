import { i18n } from '#i18n';
import { SendwayError } from '../../../shared/messages/define';
import type { RelayStatus } from '../../../shared/messages/relay';
import type { HandlersFor } from '../router';
import { getEffectiveSettings, updateLocalSettings } from '../settings';
import { getSecret } from '../vault';
import {
  TOKEN_SECRET,
  accountOf,
  forgetToken,
  hasOriginPermission,
  makeClient,
  rememberAccount,
  relayUrlSetting,
  requireConnection,
  storeToken,
} from '../relay/connection';
import { relayErrorText } from '../relay/error-text';
import { fromViewId, toOutboxItem, toViewId } from '../relay/map';
import { clearChannelCache } from '../relay/provider';

type RelayMessage =
  | 'relay.status'
  | 'relay.connect'
  | 'relay.disconnect'
  | 'relay.channels.list'
  | 'relay.channels.create'
  | 'relay.channels.update'
  | 'relay.channels.verify'
  | 'relay.channels.delete'
  | 'outbox.list'
  | 'outbox.cancel'
  | 'outbox.retry';

const trimSlash = (url: string) => url.replace(/\/+$/, '');
/** How the relay's OpenAPI document names the retry endpoint when it has one. */
const RETRY_PATH = '/v1/messages/{id}/retry';

function toErrorBody(error: unknown) {
  if (error instanceof SendwayError) return error.toBody();
  return { code: 'internal', message: String(error) };
}

async function relayStatus(): Promise<RelayStatus> {
  const [{ url, managed }, token] = await Promise.all([relayUrlSetting(), getSecret(TOKEN_SECRET)]);
  const base: RelayStatus = {
    relayUrl: url,
    urlManaged: managed,
    hasToken: token !== undefined,
    connected: false,
    permission: url ? await hasOriginPermission(url) : false,
    canRetry: false,
  };
  if (!url || !token) return base;
  try {
    const client = makeClient(url, token);
    const [me, paths] = await Promise.all([client.me(), client.apiPaths().catch(() => [] as string[])]);
    await rememberAccount(url, me);
    return { ...base, connected: true, account: me, canRetry: paths.includes(RETRY_PATH) };
  } catch (error) {
    return { ...base, error: toErrorBody(error) };
  }
}

/** Tells the form which field to look at when the relay refuses a connection. */
function withField(error: unknown, field: string): unknown {
  if (!(error instanceof SendwayError) || error.field) return error;
  return new SendwayError(error.code, error.message, field);
}

function relayIdOf(channelId: string): string {
  const id = fromViewId(channelId);
  if (!id) throw new SendwayError('unknown_channel', i18n.t('popup.errors.notRelayChannel'), 'channelId');
  return id;
}

export const relayHandlers: HandlersFor<RelayMessage> = {
  'relay.status': () => relayStatus(),

  'relay.connect': async ({ relayUrl, token }) => {
    const setting = await relayUrlSetting();
    if (setting.managed && relayUrl && trimSlash(relayUrl) !== trimSlash(setting.url ?? '')) {
      throw new SendwayError('locked', i18n.t('popup.errors.urlManaged'), 'relayUrl');
    }
    const url = setting.managed ? setting.url : (relayUrl ?? setting.url);
    if (!url) throw new SendwayError('invalid_input', i18n.t('popup.errors.urlRequired'), 'relayUrl');
    // The token must not cross a network in the clear: plain http only for a relay on this computer.
    const { protocol, hostname } = new URL(url);
    if (protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(hostname)) {
      throw new SendwayError('insecure_url', i18n.t('popup.relay.httpsOnly'), 'relayUrl');
    }
    // The popup asks for the origin at the moment the rep presses Connect; without it fetch would hit CORS.
    if (!(await hasOriginPermission(url))) {
      throw new SendwayError('permission_needed', relayErrorText('noPermission', [new URL(url).host]), 'relayUrl');
    }
    let me;
    try {
      me = await makeClient(url, token).me();
    } catch (error) {
      const code = error instanceof SendwayError ? error.code : '';
      throw withField(error, code === 'relay_unauthorized' ? 'token' : 'relayUrl');
    }
    // Only a token the relay accepted is kept, and only in the vault (encrypted, never storage.sync).
    await storeToken(token);
    if (!setting.managed) await updateLocalSettings({ relayUrl: trimSlash(url) });
    await rememberAccount(setting.managed ? url : trimSlash(url), me);
    await clearChannelCache();
    return relayStatus();
  },

  'relay.disconnect': async () => {
    await forgetToken();
    await clearChannelCache();
    return relayStatus();
  },

  'relay.channels.list': async () => {
    const conn = await requireConnection();
    const [account, channels, { values }] = await Promise.all([
      accountOf(conn),
      conn.client.listChannels(),
      getEffectiveSettings(),
    ]);
    return {
      account,
      channels: channels
        .filter((c) => !values.allowedChannels || values.allowedChannels.includes(c.provider))
        .map((c) => ({
          ...c,
          id: toViewId(c.id),
          relayId: c.id,
          canDelete: account.admin || c.ownerEmail.toLowerCase() === account.email.toLowerCase(),
        })),
    };
  },

  'relay.channels.create': async ({ channel }) => {
    const { values } = await getEffectiveSettings();
    if (values.allowedChannels && !values.allowedChannels.includes(channel.provider)) {
      throw new SendwayError('not_allowed', i18n.t('popup.errors.kindNotAllowed'), 'provider');
    }
    // The organisation's limits for this kind of channel win over anything the form asked for.
    const policyLimits = values.limits?.[channel.provider];
    const limits = policyLimits || channel.limits ? { ...channel.limits, ...policyLimits } : undefined;
    const conn = await requireConnection();
    const created = await conn.client.createChannel({ ...channel, ...(limits ? { limits } : {}) });
    let result;
    try {
      result = await conn.client.verifyChannel(created.id);
    } catch (error) {
      await conn.client.deleteChannel(created.id).catch(() => undefined);
      throw error;
    }
    if (!result.ok) {
      await conn.client.deleteChannel(created.id).catch(() => undefined);
      return { channelId: null, result };
    }
    await clearChannelCache();
    return { channelId: toViewId(created.id), result };
  },

  'relay.channels.update': async ({ channelId, changes }) => {
    const conn = await requireConnection();
    const id = relayIdOf(channelId);
    await conn.client.updateChannel(id, changes);
    await clearChannelCache();
    return { result: await conn.client.verifyChannel(id) };
  },

  'relay.channels.verify': async ({ channelId }) => {
    const conn = await requireConnection();
    return conn.client.verifyChannel(relayIdOf(channelId));
  },

  'relay.channels.delete': async ({ channelId }) => {
    const conn = await requireConnection();
    await conn.client.deleteChannel(relayIdOf(channelId));
    await clearChannelCache();
    return { deleted: true as const };
  },

  'outbox.list': async ({ status, limit }) => {
    const conn = await requireConnection();
    const messages = await conn.client.listMessages({ status, limit });
    return {
      messages: [...messages]
        .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
        .slice(0, limit)
        .map(toOutboxItem),
    };
  },

  'outbox.cancel': async ({ id }) => {
    const conn = await requireConnection();
    return { message: toOutboxItem(await conn.client.cancelMessage(id)) };
  },

  'outbox.retry': async ({ id }) => {
    const conn = await requireConnection();
    return { message: toOutboxItem(await conn.client.retryMessage(id)) };
  },
};
