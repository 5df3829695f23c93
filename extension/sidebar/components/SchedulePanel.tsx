import { useId, useState, type MouseEvent } from 'react';
import { i18n } from '#i18n';
import { formatWhen, toLocalInput } from '../format';

interface Props {
  defaultAt: Date;
  nextSlotAt: string | null;
  disabled: boolean;
  onConfirm(event: MouseEvent<HTMLButtonElement>, at: Date): void;
}

/** Pick a time; the message is handed to the channel with sendAt and leaves then. */
export function SchedulePanel({ defaultAt, nextSlotAt, disabled, onConfirm }: Props) {
  const [value, setValue] = useState(() => toLocalInput(defaultAt));
  const [invalid, setInvalid] = useState(false);
  const id = useId();
  return (
    <section className="sw-panel" aria-label={i18n.t('sidebar.schedule.heading')}>
      <h3>{i18n.t('sidebar.schedule.heading')}</h3>
      <div className="sw-row">
        <label htmlFor={id}>{i18n.t('sidebar.schedule.when')}</label>
        <input
          id={id}
          type="datetime-local"
          value={value}
          min={toLocalInput(new Date())}
          onChange={(e) => {
            setValue(e.currentTarget.value);
            setInvalid(false);
          }}
        />
        <button
          type="button"
          className="sw-button sw-primary"
          disabled={disabled}
          onClick={(e) => {
            const at = new Date(value);
            if (Number.isNaN(at.getTime()) || at.getTime() <= Date.now()) {
              setInvalid(true);
              return;
            }
            onConfirm(e, at);
          }}
        >
          {i18n.t('sidebar.schedule.confirm')}
        </button>
      </div>
      {invalid ? <p className="sw-warning" role="alert">{i18n.t('sidebar.schedule.invalid')}</p> : null}
      {nextSlotAt && new Date(nextSlotAt).getTime() > Date.now() + 60_000 ? (
        <p className="sw-muted">{i18n.t('sidebar.schedule.nextSlot', [formatWhen(nextSlotAt)])}</p>
      ) : null}
    </section>
  );
}
