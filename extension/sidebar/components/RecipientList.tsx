import { i18n } from '#i18n';
import type { Recipient } from '../../compose/driver';

const KIND_LABEL = {
  to: () => i18n.t('sidebar.recipients.to'),
  cc: () => i18n.t('sidebar.recipients.cc'),
  bcc: () => i18n.t('sidebar.recipients.bcc'),
};

/** The compose's recipients as text (names come from the page: never markup). */
export function RecipientList({ recipients }: { recipients: Recipient[] }) {
  if (!recipients.length) return <p className="sw-muted">{i18n.t('sidebar.recipients.none')}</p>;
  return (
    <ul className="sw-recipients" aria-label={i18n.t('sidebar.recipients.heading')}>
      {recipients.map((r) => (
        <li key={`${r.kind}:${r.address}`} className="sw-recipient">
          <span className="sw-kind">{KIND_LABEL[r.kind]()}</span>
          {r.name ? <span className="sw-name">{r.name}</span> : null}
          <span className="sw-address">{r.address}</span>
        </li>
      ))}
    </ul>
  );
}
