import type { MouseEvent } from 'react';
import { i18n } from '#i18n';
import type { Recipient, Webmail } from '../compose/driver';
import type { Template } from '../../shared/messages/templates';
import type { Assessment } from './warnings';
import { RecipientList } from './components/RecipientList';
import { ChannelLine, type ChannelState } from './components/ChannelLine';
import { WarningList } from './components/WarningList';
import { CustomFields } from './components/CustomFields';
import { TemplatePanel, type TemplatesState } from './components/TemplatePanel';
import { SchedulePanel } from './components/SchedulePanel';
import { SequencePanel, type SequencesState } from './components/SequencePanel';
import { StatusLine, type Status } from './components/StatusLine';
import type { EnrolController } from './enrol';

export type Panel = 'templates' | 'schedule' | 'sequences';

export interface SidebarProps {
  webmail: Webmail;
  collapsed: boolean;
  onToggle(): void;
  recipients: Recipient[];
  channel: ChannelState;
  assessment: Assessment;
  customFields: string[];
  customValues: Record<string, string>;
  onCustomChange(field: string, value: string): void;
  panel: Panel | null;
  onPanel(panel: Panel | null): void;
  busy: boolean;
  status: Status | null;
  onSend(event: MouseEvent<HTMLButtonElement>): void;
  templates: TemplatesState;
  templateNote: string | null;
  onInsertTemplate(template: Template): void;
  previewTemplate(template: Template): string;
  scheduleDefault: Date;
  onSchedule(event: MouseEvent<HTMLButtonElement>, at: Date): void;
  sequences: SequencesState;
  /** Enrols the compose's recipients in a sequence (absent in tests of the rest). */
  enrol?: EnrolController;
}

function Logo() {
  return (
    <svg className="sw-logo" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
      <path d="M3 11.5 21 3l-6.5 18-3-7.5L3 11.5Z" fill="currentColor" />
    </svg>
  );
}

function Chevron({ up }: { up: boolean }) {
  return (
    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" style={{ transform: up ? 'rotate(180deg)' : undefined }}>
      <path d="M7 10l5 5 5-5" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

/** One compose's Sendway panel. Presentational: everything comes in through props. */
export function Sidebar(p: SidebarProps) {
  const channel = p.channel.state === 'ready' ? p.channel.channel : null;
  const sendLabel = channel ? i18n.t('sidebar.actions.send', [channel.name]) : i18n.t('sidebar.actions.sendNoChannel');
  const toggle = (panel: Panel) => p.onPanel(p.panel === panel ? null : panel);
  return (
    <div className="sw-root" data-webmail={p.webmail} data-collapsed={p.collapsed ? '' : undefined}>
      <div className="sw-header">
        <span className="sw-title">
          <Logo />
          {i18n.t('sidebar.title')}
        </span>
        <ChannelLine channel={p.channel} />
        <button
          type="button"
          className="sw-icon-button"
          aria-expanded={!p.collapsed}
          aria-label={p.collapsed ? i18n.t('sidebar.expand') : i18n.t('sidebar.collapse')}
          title={p.collapsed ? i18n.t('sidebar.expand') : i18n.t('sidebar.collapse')}
          onClick={p.onToggle}
        >
          <Chevron up={!p.collapsed} />
        </button>
      </div>
      {p.collapsed ? (
        <StatusLine status={p.status} />
      ) : (
        <div className="sw-body">
          <RecipientList recipients={p.recipients} />
          <WarningList warnings={p.assessment.warnings} />
          <CustomFields fields={p.customFields} values={p.customValues} onChange={p.onCustomChange} />
          <div className="sw-actions">
            <button
              type="button"
              className={`sw-button ${p.assessment.suggestSchedule ? '' : 'sw-primary'}`}
              disabled={p.busy || !p.assessment.canSend}
              onClick={p.onSend}
            >
              {sendLabel}
            </button>
            <button type="button" className="sw-button" aria-expanded={p.panel === 'templates'} disabled={p.busy} onClick={() => toggle('templates')}>
              {i18n.t('sidebar.actions.insertTemplate')}
            </button>
            <button
              type="button"
              className={`sw-button ${p.assessment.suggestSchedule ? 'sw-primary' : ''}`}
              aria-expanded={p.panel === 'schedule'}
              disabled={p.busy || !p.assessment.canSchedule}
              onClick={() => toggle('schedule')}
            >
              {i18n.t('sidebar.actions.schedule')}
            </button>
            <button type="button" className="sw-button" aria-expanded={p.panel === 'sequences'} onClick={() => toggle('sequences')}>
              {i18n.t('sidebar.actions.addToSequence')}
            </button>
          </div>
          {p.panel === 'templates' ? <TemplatePanel templates={p.templates} note={p.templateNote} preview={p.previewTemplate} onInsert={p.onInsertTemplate} /> : null}
          {p.panel === 'schedule' ? (
            <SchedulePanel
              defaultAt={p.scheduleDefault}
              nextSlotAt={channel?.limits.nextSlotAt ?? null}
              disabled={p.busy || !p.assessment.canSchedule}
              onConfirm={p.onSchedule}
            />
          ) : null}
          {p.panel === 'sequences' ? <SequencePanel sequences={p.sequences} {...(p.enrol ? { enrol: p.enrol } : {})} /> : null}
          <StatusLine status={p.status} />
        </div>
      )}
    </div>
  );
}
