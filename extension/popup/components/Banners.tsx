import { i18n } from '#i18n';
import type { Banner } from '../logic/limits-view';
import { formatNumber, formatWhen, unitName } from '../logic/texts';

function text(banner: Banner, now: number): string {
  const name = banner.channel.name;
  switch (banner.kind) {
    case 'dayReached':
      return i18n.t('popup.banner.dayReached', [name, formatWhen(banner.resumesAt, now)]);
    case 'minuteReached':
      return i18n.t('popup.banner.minuteReached', [name, formatWhen(banner.resumesAt, now)]);
    case 'nearDay':
      return i18n.t('popup.banner.nearDay', [
        name,
        String(banner.window.percent ?? 0),
        formatNumber(banner.window.used),
        formatNumber(banner.window.limit ?? 0),
        unitName(banner.window.unit),
      ]);
    case 'nearMinute':
      return i18n.t('popup.banner.nearMinute', [name, formatNumber(banner.window.used), formatNumber(banner.window.limit ?? 0)]);
  }
}

/** Warnings at 80 % of a limit and when one is reached, saying when sending resumes. */
export function Banners({ banners, now }: { banners: Banner[]; now: number }) {
  if (!banners.length) return null;
  return (
    <div className="banners" role="status" data-testid="limit-banners">
      {banners.map((b) => (
        <p key={b.channel.id} className={`banner ${b.kind.endsWith('Reached') ? 'banner-full' : 'banner-near'}`} data-kind={b.kind}>
          {text(b, now)}
        </p>
      ))}
    </div>
  );
}
