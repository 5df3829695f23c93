import { i18n } from '#i18n';
import type { ChannelView } from '../../../shared/messages/channels';
import { dailyLeft } from '../warnings';
import { formatNumber } from '../format';

export type ChannelState =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'ready'; channel: ChannelView | null };

/** The active channel and what is left of today's quota, in one line. */
export function ChannelLine({ channel }: { channel: ChannelState }) {
  if (channel.state === 'loading') return <span className="sw-muted">{i18n.t('sidebar.channel.loading')}</span>;
  if (channel.state === 'error') return <span className="sw-muted">{i18n.t('sidebar.channel.unreachable', [channel.message])}</span>;
  const c = channel.channel;
  if (!c) return <span className="sw-muted">{i18n.t('sidebar.channel.heading')}: —</span>;
  const day = dailyLeft(c);
  const status = i18n.t(`sidebar.channel.status.${c.status}`);
  return (
    <span className="sw-channel" data-testid="sw-channel">
      <span className={`sw-dot sw-dot-${c.status}`} role="img" aria-label={status} title={status} />
      <span className="sw-channel-name">{c.name}</span>
      <span className="sw-sep" aria-hidden="true">·</span>
      <span
        className="sw-quota"
        data-testid="sw-quota"
        title={c.limits.perMinute.limit !== null ? i18n.t('sidebar.channel.perMinute', [formatNumber(c.limits.perMinute.limit)]) : undefined}
      >
        {day
          ? i18n.t(day.unit === 'recipients' ? 'sidebar.channel.leftToday.recipients' : 'sidebar.channel.leftToday.messages', [
              formatNumber(day.left),
              formatNumber(day.limit),
            ])
          : i18n.t('sidebar.channel.unlimited')}
      </span>
    </span>
  );
}
