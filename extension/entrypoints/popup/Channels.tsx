import { useEffect, useState } from 'react';
import { i18n } from '#i18n';
import type { ChannelView } from '../../../shared/messages/channels';
import type { ChannelKind } from '../../../shared/schemas/policy';
import type { EffectiveSettings } from '../../../shared/schemas/settings';
import { send } from '../../lib/messaging';
import { Banners } from '../../popup/components/Banners';
import { ChannelCard } from '../../popup/components/ChannelCard';
import { ChannelDeliverability } from '../../popup/components/ChannelDeliverability';
import { Notice } from '../../popup/components/Notice';
import { PasswordUpdate } from '../../popup/components/PasswordUpdate';
import { ProviderPicker } from '../../popup/components/ProviderPicker';
import { bannersFor } from '../../popup/logic/limits-view';
import { verifyText, type VerifyText } from '../../popup/logic/texts';
import { errorText } from '../../popup/actions';
import { Office365Reconnect, signedInText } from './Office365';

const isRelay = (id: string) => id.startsWith('relay:');
/** Channels Sendway can talk to right now (others only show why not). */
const reachable = (c: ChannelView) => c.status === 'ready' || c.status === 'needs_reconnect';
const sameChannel = (id: string, configured?: string) => !!configured && (id === configured || id === `relay:${configured}`);

export interface ChannelsProps {
  channels: ChannelView[] | undefined;
  activeChannelId: string | null;
  loadError?: string;
  settings: EffectiveSettings | undefined;
  onAdd: (kind?: ChannelKind) => void;
  onChanged: () => void;
  /** A relay problem is shown at the top of the popup already. */
  relayProblem?: boolean;
}

/** Home: the rep's channels with live gauges, or, on a fresh install, the services to choose from. */
export function Channels(props: ChannelsProps) {
  const [testing, setTesting] = useState<string>();
  const [results, setResults] = useState<Record<string, VerifyText>>({});
  const [removing, setRemoving] = useState<string>();
  const [updating, setUpdating] = useState<string>();
  const [actionError, setActionError] = useState<string>();
  // The rep's pick shows at once; the background confirms it on the next poll.
  const [chosen, setChosen] = useState<string>();
  const activeId = chosen ?? props.activeChannelId;
  useEffect(() => {
    if (chosen && props.activeChannelId === chosen) setChosen(undefined);
  }, [chosen, props.activeChannelId]);
  const now = Date.now();
  const values = props.settings?.values;

  if (!props.channels) {
    return props.loadError ? (
      <Notice tone="error">{i18n.t('popup.channels.loadFailed', [props.loadError])}</Notice>
    ) : (
      <p className="muted">{i18n.t('popup.loading')}</p>
    );
  }

  if (props.channels.length === 0) {
    const suggested = values?.defaultChannel;
    return (
      <section className="stack" aria-labelledby="welcome-heading" data-testid="welcome">
        <h2 id="welcome-heading">{i18n.t('popup.welcome.heading')}</h2>
        <p className="muted">{i18n.t('popup.welcome.intro')}</p>
        <ProviderPicker allowed={values?.allowedChannels} suggested={suggested} onPick={props.onAdd} />
      </section>
    );
  }

  const run = async (id: string, action: () => Promise<void>, set: (v: string | undefined) => void) => {
    set(id);
    setActionError(undefined);
    try {
      await action();
    } catch (e) {
      setActionError(errorText(e));
    } finally {
      set(undefined);
      props.onChanged();
    }
  };
  const test = (c: ChannelView) =>
    run(
      c.id,
      async () => {
        const result = await send('relay.channels.verify', { channelId: c.id });
        setResults((r) => ({ ...r, [c.id]: c.auth === 'oauth2' ? signedInText(result) : verifyText(result, c.kind, false) }));
      },
      setTesting,
    );
  const remove = (c: ChannelView) =>
    run(
      c.id,
      async () => {
        if (isRelay(c.id)) await send('relay.channels.delete', { channelId: c.id });
        else if (c.kind === 'gmail') await send('gmail.disconnect', {});
      },
      setRemoving,
    );
  const updatePassword = (c: ChannelView, password: string) =>
    run(
      c.id,
      async () => {
        const { result } = await send('relay.channels.update', { channelId: c.id, changes: { password } });
        setResults((r) => ({ ...r, [c.id]: verifyText(result, c.kind, false) }));
      },
      setUpdating,
    );
  const use = (c: ChannelView) => {
    setChosen(c.id);
    void run(
      c.id,
      async () => {
        try {
          await send('channels.setActive', { channelId: c.id });
        } catch (e) {
          setChosen(undefined);
          throw e;
        }
      },
      () => undefined,
    );
  };

  return (
    <section className="stack" aria-labelledby="channels-heading">
      <Banners banners={bannersFor(props.channels, now)} now={now} />
      {props.loadError && <Notice tone="warn">{i18n.t('popup.channels.loadFailed', [props.loadError])}</Notice>}
      {actionError && <Notice tone="error">{actionError}</Notice>}
      <h2 id="channels-heading" className="section-title">
        {i18n.t('popup.channels.heading')}
      </h2>
      <ul className="channel-list">
        {props.channels.map((c) => (
          <ChannelCard
            key={c.id}
            channel={c}
            group="active-channel"
            active={c.id === activeId}
            team={sameChannel(c.id, values?.teamChannelId)}
            now={now}
            onUse={() => use(c)}
            onTest={isRelay(c.id) && reachable(c) ? () => test(c) : undefined}
            testing={testing === c.id}
            testResult={results[c.id]}
            onRemove={(isRelay(c.id) && reachable(c)) || c.kind === 'gmail' ? () => remove(c) : undefined}
            removeLabel={c.kind === 'gmail' ? i18n.t('popup.gmail.disconnect') : undefined}
            removing={removing === c.id}
            quietStatus={props.relayProblem && isRelay(c.id)}
          >
            {isRelay(c.id) && c.status === 'needs_reconnect' && c.auth !== 'oauth2' && (
              <PasswordUpdate busy={updating === c.id} onSave={(password) => updatePassword(c, password)} />
            )}
            {/* Office 365: one click signs in with Microsoft again (or moves a refused password channel to it). */}
            {isRelay(c.id) && c.status === 'needs_reconnect' && c.kind === 'office365' && (
              <Office365Reconnect
                channel={c}
                onResult={(text) => setResults((r) => ({ ...r, [c.id]: text }))}
                onError={setActionError}
                onChanged={props.onChanged}
              />
            )}
            {c.kind === 'gmail' && c.status !== 'ready' && (
              <div className="actions">
                <button
                  type="button"
                  className="btn btn-primary"
                  disabled={updating === c.id}
                  onClick={() => void run(c.id, async () => void (await send('gmail.connect', {})), setUpdating)}
                >
                  {i18n.t('popup.gmail.connect')}
                </button>
              </div>
            )}
            {(c.kind !== 'gmail' || c.status === 'ready') && reachable(c) && <ChannelDeliverability channel={c} />}
          </ChannelCard>
        ))}
      </ul>
      <button type="button" className="btn btn-wide btn-add" onClick={() => props.onAdd()} data-testid="add-channel">
        <span aria-hidden="true">+ </span>
        {i18n.t('popup.channels.add')}
      </button>
    </section>
  );
}
