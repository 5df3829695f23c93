import { useState } from 'react';
import { i18n } from '#i18n';
import type { ChannelKind, ManagedPolicy } from '../../../shared/schemas/policy';
import { send } from '../../lib/messaging';
import { errorText, openOptions } from '../../popup/actions';
import { ProviderPicker } from '../../popup/components/ProviderPicker';
import { RelayConnect } from '../../popup/components/RelayConnect';
import { Tabs } from '../../popup/components/Tabs';
import { relayConnectProps, useRelayConnect } from '../../popup/hooks/useRelayConnect';
import type { RelayStatus } from '../../../shared/messages/relay';
import { useLoad } from '../../popup/hooks/useLoad';
import { usePoll } from '../../popup/hooks/usePoll';
import { Channels } from './Channels';
import { Outbox } from './Outbox';
import { Sequences } from './Sequences';
import { Setup } from './Setup';

type View = { name: 'home' } | { name: 'setup'; kind: ChannelKind | null } | { name: 'relay' };
type Tab = 'channels' | 'outbox' | 'sequences';

/** How often the popup asks for live limits while it is open. */
const POLL_MS = 2000;

export function App() {
  const settings = useLoad(() => send('settings.get', {}));
  const relay = useLoad(() => send('relay.status', {}));
  const [view, setView] = useState<View>({ name: 'home' });
  const [tab, setTab] = useState<Tab>('channels');
  const channels = usePoll(() => send('channels.list', {}), POLL_MS, view.name === 'home');

  // A fresh install sees only the choice of services: no tabs to puzzle over yet.
  const hasChannels = (channels.data?.channels.length ?? 0) > 0;

  const home = () => {
    setView({ name: 'home' });
    channels.refresh();
  };

  return (
    <div className="popup">
      <header className="topbar">
        <h1>
          <img src="/icon/32.png" alt="" width="20" height="20" />
          {i18n.t('popup.title')}
        </h1>
        <button
          type="button"
          className="icon-btn"
          onClick={() => void openOptions()}
          aria-label={i18n.t('popup.openOptions')}
          title={i18n.t('popup.openOptions')}
          data-testid="open-options"
        >
          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
            <path
              fill="currentColor"
              d="M19.4 13a7.7 7.7 0 0 0 0-2l2.1-1.6-2-3.5-2.5 1a7.6 7.6 0 0 0-1.7-1L15 3h-4l-.4 2.7a7.6 7.6 0 0 0-1.7 1l-2.5-1-2 3.5L6.6 11a7.7 7.7 0 0 0 0 2l-2.1 1.6 2 3.5 2.5-1a7.6 7.6 0 0 0 1.7 1L11 21h4l.4-2.7a7.6 7.6 0 0 0 1.7-1l2.5 1 2-3.5zM13 15.5a3.5 3.5 0 1 1 0-7 3.5 3.5 0 0 1 0 7z"
            />
          </svg>
        </button>
      </header>
      <main className="content">
        {view.name === 'setup' && view.kind && settings.data && relay.data ? (
          <Setup
            kind={view.kind}
            settings={settings.data}
            relay={relay.data}
            onRelay={(status) => {
              relay.set(status);
              void settings.reload();
            }}
            onBack={home}
            onDone={home}
          />
        ) : view.name === 'relay' && relay.data ? (
          <Reconnect
            relay={relay.data}
            onBack={home}
            onConnected={(status) => {
              relay.set(status);
              home();
            }}
          />
        ) : view.name === 'setup' && view.kind ? (
          <p className="muted">{relay.error || settings.error ? errorText(relay.error ?? settings.error) : i18n.t('popup.loading')}</p>
        ) : view.name === 'setup' ? (
          <AddChannel settings={settings.data?.values} onPick={(kind) => setView({ name: 'setup', kind })} onBack={home} />
        ) : (
          <>
            {relay.data?.hasToken && !relay.data.connected && relay.data.error && (
              <div className="notice notice-warn reconnect" role="alert" data-testid="relay-problem">
                <p>{relay.data.error.message}</p>
                <div className="actions">
                  <button
                    type="button"
                    className="btn"
                    onClick={() => (import.meta.env.FIREFOX ? void openOptions('relay') : setView({ name: 'relay' }))}
                  >
                    {i18n.t('popup.relay.reconnect')}
                  </button>
                </div>
              </div>
            )}
            {hasChannels && (
              <Tabs
                label={i18n.t('popup.tabs.label')}
                tabs={[
                  { id: 'channels', label: i18n.t('popup.tabs.channels') },
                  { id: 'outbox', label: i18n.t('popup.tabs.outbox') },
                  { id: 'sequences', label: i18n.t('sequences.popup.tab') },
                ]}
                selected={tab}
                onSelect={setTab}
              />
            )}
            <div {...(hasChannels ? { role: 'tabpanel', id: `panel-${tab}`, 'aria-labelledby': `tab-${tab}` } : {})} className="panel">
              {tab === 'channels' || !hasChannels ? (
                <Channels
                  channels={channels.data?.channels}
                  activeChannelId={channels.data?.activeChannelId ?? null}
                  loadError={channels.error ? errorText(channels.error) : undefined}
                  settings={settings.data}
                  onAdd={(kind) => setView({ name: 'setup', kind: kind ?? null })}
                  onChanged={channels.refresh}
                  relayProblem={!!(relay.data?.hasToken && !relay.data.connected && relay.data.error)}
                />
              ) : tab === 'sequences' ? (
                <Sequences />
              ) : (
                <Outbox connected={relay.data?.connected ?? false} canRetry={relay.data?.canRetry ?? false} channels={channels.data?.channels} />
              )}
            </div>
            {relay.data?.connected && relay.data.account && relay.data.relayUrl && (
              <p className="footnote" data-testid="relay-footnote">
                {i18n.t('popup.relay.connectedAs', [new URL(relay.data.relayUrl).host, relay.data.account.email])}
              </p>
            )}
          </>
        )}
      </main>
    </div>
  );
}

/** "Add a channel" from the home screen: the same choice a fresh install starts with. */
function AddChannel(props: { settings?: ManagedPolicy; onPick: (kind: ChannelKind) => void; onBack: () => void }) {
  return (
    <section className="view stack" aria-labelledby="add-heading">
      <div className="view-head">
        <button type="button" className="btn btn-quiet btn-back" onClick={props.onBack}>
          <span aria-hidden="true">‹ </span>
          {i18n.t('popup.back')}
        </button>
        <h2 id="add-heading">{i18n.t('popup.providers.pick')}</h2>
      </div>
      <ProviderPicker allowed={props.settings?.allowedChannels} suggested={props.settings?.defaultChannel} onPick={props.onPick} />
    </section>
  );
}

/** The relay refused the stored token or moved: enter a new token (the URL stays unless the rep changes it). */
function Reconnect(props: { relay: RelayStatus; onBack: () => void; onConnected: (s: RelayStatus) => void }) {
  const conn = useRelayConnect(props.relay, props.onConnected);
  return (
    <section className="view">
      <div className="view-head">
        <button type="button" className="btn btn-quiet btn-back" onClick={props.onBack}>
          <span aria-hidden="true">‹ </span>
          {i18n.t('popup.back')}
        </button>
      </div>
      <RelayConnect {...relayConnectProps(conn)} />
    </section>
  );
}
