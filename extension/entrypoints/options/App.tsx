import { i18n } from '#i18n';
import { send } from '../../lib/messaging';
import { useLoad } from '../../popup/hooks/useLoad';
import { ChannelsSection } from './ChannelsSection';
import { GmailSection } from './GmailSection';
import { OutboxSection } from './OutboxSection';
import { PolicySection } from './PolicySection';
import { RelaySection } from './RelaySection';
import { SequencesSection } from './SequencesSection';
import { TemplatesSection } from './TemplatesSection';

/** The options page: what needs more room than the popup (full outbox, channel details, advanced settings). */
export function App() {
  const settings = useLoad(() => send('settings.get', {}));
  const relay = useLoad(() => send('relay.status', {}));
  const connected = relay.data?.connected ?? false;
  return (
    <div className="options">
      <header className="options-top">
        <img src="/icon/48.png" alt="" width="32" height="32" />
        <h1>{i18n.t('options.title')}</h1>
      </header>
      <nav className="options-nav" aria-label={i18n.t('options.nav.label')}>
        <a href="#relay">{i18n.t('options.nav.connection')}</a>
        <a href="#channels">{i18n.t('options.nav.channels')}</a>
        <a href="#outbox">{i18n.t('options.nav.outbox')}</a>
        <a href="#templates">{i18n.t('templates.nav')}</a>
        <a href="#sequences">{i18n.t('sequences.nav')}</a>
        <a href="#gmail">{i18n.t('options.nav.gmail')}</a>
        <a href="#policy">{i18n.t('options.nav.policy')}</a>
      </nav>
      <main>
        <RelaySection
          relay={relay.data}
          onRelay={(status) => {
            relay.set(status);
            void settings.reload();
          }}
        />
        <ChannelsSection connected={connected} />
        <OutboxSection connected={connected} canRetry={relay.data?.canRetry ?? false} />
        <TemplatesSection />
        <SequencesSection />
        <GmailSection settings={settings.data} onSaved={settings.set} />
        <PolicySection settings={settings.data} />
      </main>
    </div>
  );
}
