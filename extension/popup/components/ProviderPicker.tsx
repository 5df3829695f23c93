import { i18n } from '#i18n';
import type { ChannelKind } from '../../../shared/schemas/policy';
import { kindName } from '../logic/texts';

export const PROVIDER_ORDER: ChannelKind[] = ['gmail', 'office365', 'sparkpost', 'sendgrid', 'smtp'];

function blurb(kind: ChannelKind): string {
  switch (kind) {
    case 'gmail':
      return i18n.t('popup.providers.gmail');
    case 'office365':
      return i18n.t('office365.setup.blurb');
    case 'sparkpost':
      return i18n.t('popup.providers.sparkpost');
    case 'sendgrid':
      return i18n.t('popup.providers.sendgrid');
    case 'smtp':
      return i18n.t('popup.providers.smtp');
  }
}

/** The services a rep can send through, each with one line saying what it is. */
export function ProviderPicker(props: { allowed?: ChannelKind[]; suggested?: string; onPick: (kind: ChannelKind) => void }) {
  const kinds = PROVIDER_ORDER.filter((k) => !props.allowed || props.allowed.includes(k));
  return (
    <ul className="provider-list" aria-label={i18n.t('popup.providers.pick')}>
      {kinds.map((kind) => (
        <li key={kind}>
          <button
            type="button"
            className={`provider${props.suggested === kind ? ' provider-suggested' : ''}`}
            onClick={() => props.onPick(kind)}
            data-testid={`provider-${kind}`}
          >
            <span className={`provider-icon provider-icon-${kind}`} aria-hidden="true">
              {kindName(kind).slice(0, 1)}
            </span>
            <span className="provider-text">
              <span className="provider-name">{kindName(kind)}</span>
              <span className="provider-blurb">{blurb(kind)}</span>
            </span>
            <span className="provider-arrow" aria-hidden="true">
              ›
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
