import { i18n } from '#i18n';
import type { Warning } from '../warnings';
import { formatNumber, formatWhen } from '../format';

function text(w: Warning): string {
  switch (w.code) {
    case 'no_channel':
      return i18n.t('sidebar.channel.none');
    case 'not_ready':
      return i18n.t('sidebar.warnings.notReady', [w.channel, w.message]);
    case 'too_many_recipients':
      return i18n.t('sidebar.warnings.tooMany', [formatNumber(w.recipients), w.channel, formatNumber(w.limit)]);
    case 'daily_limit_reached':
      return i18n.t('sidebar.warnings.dailyReached', [formatNumber(w.limit), formatWhen(w.resumesAt)]);
    case 'daily_short':
      return i18n.t('sidebar.warnings.dailyShort', [formatNumber(w.left), formatNumber(w.need)]);
    case 'per_recipient':
      return i18n.t('sidebar.warnings.perRecipient', w.messages, [formatNumber(w.messages)]);
    case 'syntax':
      return i18n.t('sidebar.warnings.templateError', [w.message]);
    case 'unknown_fields':
      return i18n.t('sidebar.warnings.unknownFields', [w.fields.join(', ')]);
    case 'invalid':
      return w.message;
  }
}

const INFO = new Set<Warning['code']>(['per_recipient']);

export function WarningList({ warnings }: { warnings: Warning[] }) {
  if (!warnings.length) return null;
  return (
    <ul className="sw-warnings">
      {warnings.map((w) => (
        <li key={w.code} className={INFO.has(w.code) ? 'sw-info' : 'sw-warning'} data-code={w.code}>
          {text(w)}
        </li>
      ))}
    </ul>
  );
}
