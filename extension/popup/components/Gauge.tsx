import { i18n } from '#i18n';
import type { WindowView } from '../logic/limits-view';
import { formatNumber, unitName } from '../logic/texts';

/** One limit window: how much of it is used, as a bar and in numbers. */
export function Gauge({ window: w }: { window: WindowView }) {
  const label = w.window === 'minute' ? i18n.t('popup.limits.minute') : i18n.t('popup.limits.day');
  const unit = unitName(w.unit);
  const used = formatNumber(w.used);
  if (w.limit === null) {
    return (
      <div className="gauge" data-testid={`gauge-${w.window}`}>
        <div className="gauge-head">
          <span>{label}</span>
          <span className="gauge-value">{i18n.t('popup.limits.noLimit', [`${used} ${unit}`])}</span>
        </div>
      </div>
    );
  }
  const limit = formatNumber(w.limit);
  return (
    <div className={`gauge gauge-${w.level}`} data-testid={`gauge-${w.window}`}>
      <div className="gauge-head">
        <span>{label}</span>
        <span className="gauge-value">
          {i18n.t('popup.limits.usage', [used, limit])} {unit}
        </span>
      </div>
      <div
        className="gauge-track"
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={w.limit}
        aria-valuenow={Math.min(w.used, w.limit)}
        aria-valuetext={i18n.t('popup.limits.gaugeLabel', [label, used, limit, unit])}
      >
        <div className="gauge-fill" style={{ width: `${w.percent ?? 0}%` }} />
      </div>
    </div>
  );
}
