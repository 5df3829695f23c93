import { useEffect, useState } from 'react';
import { i18n } from '#i18n';
import type { RelayChannelInfo } from '../../../shared/messages/relay';
import { send } from '../../lib/messaging';
import { Notice } from '../../popup/components/Notice';
import { TestResult } from '../../popup/components/TestResult';
import { formatNumber, kindName, unitName, verifyText, type VerifyText } from '../../popup/logic/texts';
import { errorText } from '../../popup/actions';

function limitsText(c: RelayChannelInfo): string {
  const parts = [
    c.limits.perMinute !== null ? i18n.t('options.channels.perMinute', [formatNumber(c.limits.perMinute)]) : '',
    c.limits.perDay !== null ? i18n.t('options.channels.perDay', [formatNumber(c.limits.perDay), unitName(c.limits.perDayUnit)]) : '',
    c.limits.perMessage !== null ? i18n.t('options.channels.perMessage', [formatNumber(c.limits.perMessage)]) : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : i18n.t('options.channels.unlimited');
}

/** Every relay channel the rep can use, with the details the popup has no room for. */
export function ChannelsSection({ connected }: { connected: boolean }) {
  const [channels, setChannels] = useState<RelayChannelInfo[]>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [results, setResults] = useState<Record<string, VerifyText>>({});

  const load = async () => {
    try {
      setChannels((await send('relay.channels.list', {})).channels);
      setError(undefined);
    } catch (e) {
      setError(errorText(e));
    }
  };
  useEffect(() => {
    if (connected) void load();
  }, [connected]);

  const act = async (c: RelayChannelInfo, kind: 'test' | 'remove') => {
    if (kind === 'remove' && !window.confirm(i18n.t('popup.channels.removeConfirm', [c.name]))) return;
    setBusy(c.id);
    try {
      if (kind === 'test') {
        const result = await send('relay.channels.verify', { channelId: c.id });
        setResults((r) => ({ ...r, [c.id]: verifyText(result, c.provider, false) }));
      } else {
        await send('relay.channels.delete', { channelId: c.id });
        await load();
      }
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <section id="channels" className="options-section" aria-labelledby="channels-section-heading">
      <h2 id="channels-section-heading">{i18n.t('options.channels.heading')}</h2>
      {!connected ? (
        <p className="muted">{i18n.t('options.channels.notConnected')}</p>
      ) : error ? (
        <Notice tone="error">{error}</Notice>
      ) : !channels ? (
        <p className="muted">{i18n.t('popup.loading')}</p>
      ) : channels.length === 0 ? (
        <p className="muted">{i18n.t('options.channels.empty')}</p>
      ) : (
        <ul className="channel-list">
          {channels.map((c) => (
            <li key={c.id} className="card">
              <div className="channel-head">
                <h3 className="channel-name">{c.name}</h3>
                <span className={`chip chip-${c.status === 'active' ? 'ready' : 'needs_reconnect'}`}>
                  {c.status === 'active'
                    ? i18n.t('popup.channels.status.ready')
                    : c.auth === 'oauth2'
                      ? i18n.t('office365.card.needsSignIn')
                      : i18n.t('popup.channels.status.needs_reconnect')}
                </span>
              </div>
              <dl className="details">
                <dt>{i18n.t('options.channels.server')}</dt>
                <dd>
                  {kindName(c.provider)} — {c.host}:{c.port} ({c.security.toUpperCase()})
                  {c.auth === 'oauth2' && ` · ${i18n.t('office365.card.signedIn')}`}
                </dd>
                <dt>{i18n.t('options.channels.username')}</dt>
                <dd>{c.username}</dd>
                <dt>{i18n.t('options.channels.scope')}</dt>
                <dd>{c.scope === 'domain' ? `${i18n.t('popup.channels.domain')}: ${c.domains.join(', ')}` : i18n.t('popup.channels.personal')}</dd>
                <dt>{i18n.t('options.channels.owner')}</dt>
                <dd>{c.ownerEmail}</dd>
                <dt>{i18n.t('options.channels.limits')}</dt>
                <dd>{limitsText(c)}</dd>
              </dl>
              <div className="actions">
                <button type="button" className="btn" disabled={busy === c.id} onClick={() => void act(c, 'test')}>
                  {busy === c.id ? i18n.t('popup.channels.testing') : i18n.t('popup.channels.test')}
                </button>
                {c.canDelete && (
                  <button type="button" className="btn btn-quiet" disabled={busy === c.id} onClick={() => void act(c, 'remove')}>
                    {i18n.t('popup.channels.remove')}
                  </button>
                )}
              </div>
              {results[c.id] && <TestResult text={results[c.id]!} />}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
