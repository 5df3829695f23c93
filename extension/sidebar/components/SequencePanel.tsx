import { i18n } from '#i18n';
import type { SequenceSummary } from '../../../shared/messages/sequences';
import type { EnrolController } from '../enrol';
import { EnrolPanel } from './EnrolPanel';

export type SequencesState =
  | { state: 'unavailable' }
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'ready'; sequences: SequenceSummary[] };

/**
 * Sequences are set up in the options page; here the compose's recipients are
 * enrolled in one (see EnrolPanel). Without an enrolment controller it only
 * lists what exists and says where to enrol — it never pretends to enrol anyone.
 */
export function SequencePanel({ sequences, enrol }: { sequences: SequencesState; enrol?: EnrolController }) {
  return (
    <section className="sw-panel" aria-label={i18n.t('sidebar.sequences.heading')}>
      <h3>{i18n.t('sidebar.sequences.heading')}</h3>
      {sequences.state === 'unavailable' ? <p className="sw-muted">{i18n.t('sidebar.sequences.notAvailable')}</p> : null}
      {sequences.state === 'loading' ? <p className="sw-muted">{i18n.t('sidebar.sequences.loading')}</p> : null}
      {sequences.state === 'error' ? <p className="sw-warning">{i18n.t('sidebar.sequences.failed', [sequences.message])}</p> : null}
      {sequences.state === 'ready' ? (
        sequences.sequences.length && enrol ? (
          <EnrolPanel enrol={enrol} />
        ) : sequences.sequences.length ? (
          <>
            <ul className="sw-sequence-list">
              {sequences.sequences.map((s) => (
                <li key={s.id}>{s.name}</li>
              ))}
            </ul>
            <p className="sw-muted">{i18n.t('sidebar.sequences.enrolElsewhere')}</p>
          </>
        ) : (
          <p className="sw-muted">{i18n.t('sidebar.sequences.none')}</p>
        )
      ) : null}
    </section>
  );
}
