import { useMemo, useState } from 'react';
import { i18n } from '#i18n';
import type { ChannelView } from '../../../shared/messages/channels';
import type { SequenceInput, SequenceStep } from '../../../shared/messages/sequences';
import type { Template } from '../../../shared/messages/templates';
import { Field } from '../../popup/components/Field';
import { Notice } from '../../popup/components/Notice';
import { newStep, parseHolidays, timeZones } from '../../popup/logic/sequences-view';

export interface SequenceEditorProps {
  value: SequenceInput;
  onChange(value: SequenceInput): void;
  templates: Template[];
  channels: ChannelView[];
  onSave(): void;
  onCancel(): void;
  busy: boolean;
  error?: { message: string; field?: string };
}

/**
 * A sequence's settings: its channel, its steps (template, wait, business
 * days, same thread) and when emails may go out (hours, time zone, weekends,
 * holidays). Presentational: the value comes in and goes out through props.
 */
export function SequenceEditor(p: SequenceEditorProps) {
  const v = p.value;
  const zones = useMemo(() => timeZones(v.window.timeZone), [v.window.timeZone]);
  const [holidayText, setHolidayText] = useState(v.window.holidays.join('\n'));
  const holidays = parseHolidays(holidayText);
  const errorFor = (field: string) => (p.error?.field && (p.error.field === field || p.error.field.startsWith(`${field}.`)) ? p.error.message : undefined);
  const setStep = (i: number, patch: Partial<SequenceStep>) => p.onChange({ ...v, steps: v.steps.map((s, j) => (j === i ? { ...s, ...patch } : s)) });
  const move = (i: number, by: number) => {
    const steps = [...v.steps];
    const [s] = steps.splice(i, 1);
    steps.splice(i + by, 0, s!);
    p.onChange({ ...v, steps });
  };
  const setWindow = (patch: Partial<SequenceInput['window']>) => p.onChange({ ...v, window: { ...v.window, ...patch } });
  const channel = p.channels.find((c) => c.id === v.channelId);

  return (
    <form
      className="seq-editor stack"
      data-testid="sequence-editor"
      onSubmit={(e) => {
        e.preventDefault();
        p.onSave();
      }}
    >
      <div className="seq-grid-2">
        <Field label={i18n.t('sequences.editor.name')} error={errorFor('name')}>
          {(c) => <input {...c} value={v.name} maxLength={120} required onChange={(e) => p.onChange({ ...v, name: e.target.value })} />}
        </Field>
        <Field label={i18n.t('sequences.editor.channel')} error={errorFor('channelId')} help={channel?.account ? i18n.t('sequences.editor.channelFrom', [channel.account]) : undefined}>
          {(c) => (
            <select {...c} value={v.channelId} onChange={(e) => p.onChange({ ...v, channelId: e.target.value })}>
              {!channel ? <option value={v.channelId}>{v.channelId ? i18n.t('sequences.editor.channelGone') : i18n.t('sequences.editor.channelPick')}</option> : null}
              {p.channels.map((ch) => (
                <option key={ch.id} value={ch.id}>
                  {ch.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>

      <fieldset className="seq-fieldset">
        <legend>{i18n.t('sequences.editor.steps')}</legend>
        <ol className="seq-steps">
          {v.steps.map((s, i) => (
            <li key={i} className="seq-step" data-testid={`step-${i}`}>
              <div className="seq-step-head">
                <span className="seq-step-number">{i18n.t('sequences.editor.stepN', [String(i + 1)])}</span>
                <div className="seq-step-tools">
                  <button type="button" className="btn btn-small btn-quiet" disabled={i === 0} aria-label={i18n.t('sequences.editor.moveUp', [String(i + 1)])} onClick={() => move(i, -1)}>
                    ↑
                  </button>
                  <button type="button" className="btn btn-small btn-quiet" disabled={i === v.steps.length - 1} aria-label={i18n.t('sequences.editor.moveDown', [String(i + 1)])} onClick={() => move(i, 1)}>
                    ↓
                  </button>
                  <button type="button" className="btn btn-small btn-quiet" disabled={v.steps.length === 1} onClick={() => p.onChange({ ...v, steps: v.steps.filter((_, j) => j !== i) })}>
                    {i18n.t('sequences.editor.removeStep')}
                  </button>
                </div>
              </div>
              <div className="seq-step-body">
                <Field label={i18n.t('sequences.editor.template')} error={errorFor(`steps.${i}.templateId`)}>
                  {(c) => (
                    <select {...c} value={s.templateId} onChange={(e) => setStep(i, { templateId: e.target.value })}>
                      {!p.templates.some((t) => t.id === s.templateId) ? <option value={s.templateId}>{i18n.t('sequences.editor.templatePick')}</option> : null}
                      {p.templates.map((t) => (
                        <option key={t.id} value={t.id}>
                          {t.name}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <Field label={i === 0 ? i18n.t('sequences.editor.delayFirst') : i18n.t('sequences.editor.delay')} error={errorFor(`steps.${i}.delayDays`)}>
                  {(c) => (
                    <input
                      {...c}
                      type="number"
                      min={0}
                      max={365}
                      value={s.delayDays}
                      onChange={(e) => setStep(i, { delayDays: Math.max(0, Math.min(365, Math.trunc(Number(e.target.value) || 0))) })}
                    />
                  )}
                </Field>
                <div className="seq-step-checks">
                  <label className="check">
                    <input type="checkbox" checked={s.businessDays} onChange={(e) => setStep(i, { businessDays: e.target.checked })} />
                    {i18n.t('sequences.editor.businessDays')}
                  </label>
                  {i > 0 ? (
                    <label className="check">
                      <input type="checkbox" checked={s.sameThread} onChange={(e) => setStep(i, { sameThread: e.target.checked })} />
                      {i18n.t('sequences.editor.sameThread')}
                    </label>
                  ) : null}
                </div>
              </div>
            </li>
          ))}
        </ol>
        <button
          type="button"
          className="btn btn-add"
          disabled={v.steps.length >= 10 || !p.templates.length}
          onClick={() => p.onChange({ ...v, steps: [...v.steps, newStep(p.templates[Math.min(v.steps.length, p.templates.length - 1)]!.id, v.steps.length === 0)] })}
        >
          {i18n.t('sequences.editor.addStep')}
        </button>
        {errorFor('steps') && !p.error?.field?.match(/^steps\.\d+\./) ? <p className="field-error">{errorFor('steps')}</p> : null}
      </fieldset>

      <fieldset className="seq-fieldset">
        <legend>{i18n.t('sequences.editor.window')}</legend>
        <div className="seq-grid-3">
          <Field label={i18n.t('sequences.editor.start')} error={errorFor('window.start')}>
            {(c) => <input {...c} type="time" value={v.window.start} onChange={(e) => setWindow({ start: e.target.value })} />}
          </Field>
          <Field label={i18n.t('sequences.editor.end')} error={errorFor('window.end')}>
            {(c) => <input {...c} type="time" value={v.window.end === '24:00' ? '23:59' : v.window.end} onChange={(e) => setWindow({ end: e.target.value })} />}
          </Field>
          <Field label={i18n.t('sequences.editor.timeZone')} error={errorFor('window.timeZone')}>
            {(c) => (
              <select {...c} value={v.window.timeZone} onChange={(e) => setWindow({ timeZone: e.target.value })}>
                {zones.map((z) => (
                  <option key={z} value={z}>
                    {z.replace(/_/g, ' ')}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <label className="check">
          <input type="checkbox" checked={v.window.businessDaysOnly} onChange={(e) => setWindow({ businessDaysOnly: e.target.checked })} />
          {i18n.t('sequences.editor.skipWeekends')}
        </label>
        <label className="check">
          <input type="checkbox" checked={v.window.contactTimeZone} onChange={(e) => setWindow({ contactTimeZone: e.target.checked })} />
          {i18n.t('sequences.editor.contactTimeZone')}
        </label>
        <Field
          label={i18n.t('sequences.editor.holidays')}
          help={i18n.t('sequences.editor.holidaysHelp')}
          error={holidays.invalid.length ? i18n.t('sequences.editor.holidaysInvalid', [holidays.invalid.join(', ')]) : errorFor('window.holidays')}
        >
          {(c) => (
            <textarea
              {...c}
              rows={3}
              value={holidayText}
              placeholder="2030-12-25"
              onChange={(e) => {
                setHolidayText(e.target.value);
                setWindow({ holidays: parseHolidays(e.target.value).dates });
              }}
            />
          )}
        </Field>
      </fieldset>

      <label className="check">
        <input type="checkbox" checked={v.unsubscribeLink} onChange={(e) => p.onChange({ ...v, unsubscribeLink: e.target.checked })} />
        {i18n.t('sequences.editor.unsubscribe')}
      </label>
      {p.error && !p.error.field ? <Notice tone="error">{p.error.message}</Notice> : null}
      {p.error?.field && !['name', 'channelId'].includes(p.error.field) && !p.error.field.startsWith('steps') && !p.error.field.startsWith('window') ? (
        <Notice tone="error">{p.error.message}</Notice>
      ) : null}
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={p.busy || holidays.invalid.length > 0}>
          {i18n.t('sequences.editor.save')}
        </button>
        <button type="button" className="btn" onClick={p.onCancel}>
          {i18n.t('sequences.editor.cancel')}
        </button>
      </div>
    </form>
  );
}
