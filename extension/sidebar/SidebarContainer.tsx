import { useCallback, useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import { i18n } from '#i18n';
import type { ComposeView, Recipient } from '../compose/driver';
import type { SendOutcome } from '../../shared/messages/channels';
import type { Template } from '../../shared/messages/templates';
import { customFields, fieldsUsed, renderTemplate, valuesFor } from '../../shared/templates';
import { send } from '../lib/messaging';
import { Sidebar, type Panel } from './Sidebar';
import { idempotencyKey, planSend, type ComposeSnapshot, type SendPlan } from './plan';
import { assess } from './warnings';
import { defaultScheduleTime, formatWhen } from './format';
import { listSequences, saveUiPrefs, type ChannelStore, type UiPrefs } from './stores';
import { useEnrol } from './enrol';
import type { ChannelState } from './components/ChannelLine';
import type { TemplatesState } from './components/TemplatePanel';
import type { SequencesState } from './components/SequencePanel';
import type { Status } from './components/StatusLine';

/** Messages per 'mail.send' request, so progress moves on large sends. */
const CHUNK = 10;

export interface SidebarContainerProps {
  view: ComposeView;
  channels: ChannelStore;
  prefs: UiPrefs;
  /** Shows a page-level notice (the compose, and this sidebar, go away after a send). */
  notify(text: string): void;
  onReady?(): void;
}

const snapshotOf = (view: ComposeView): ComposeSnapshot => ({
  recipients: view.getRecipients(),
  subject: view.getSubject(),
  body: view.getBody(),
});

const sameRecipients = (a: Recipient[], b: Recipient[]) =>
  a.length === b.length && a.every((r, i) => r.address === b[i]!.address && r.name === b[i]!.name && r.kind === b[i]!.kind);

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function safePlan(snapshot: ComposeSnapshot, custom: Record<string, string>): SendPlan {
  try {
    return planSend(snapshot, custom);
  } catch (error) {
    return { mode: 'single', messages: [], fields: [], custom: [], unknown: [], invalid: messageOf(error) };
  }
}

/** A template's subject for the list: filled in for the first recipient, or with its fallbacks. */
function previewSubject(template: Template, first: Recipient | undefined): string {
  try {
    return renderTemplate(template.subject, first ? valuesFor(first) : {});
  } catch {
    return template.subject;
  }
}

/** Wires one compose to the background: reads the compose, shows limits, sends and schedules. */
export function SidebarContainer({ view, channels, prefs, notify, onReady }: SidebarContainerProps) {
  const [snapshot, setSnapshot] = useState(() => snapshotOf(view));
  const [channel, setChannel] = useState<ChannelState>(channels.current);
  const [collapsed, setCollapsed] = useState(prefs.collapsed);
  const [panel, setPanel] = useState<Panel | null>(null);
  const [customValues, setCustomValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<Status | null>(null);
  const [templates, setTemplates] = useState<TemplatesState>({ state: 'loading' });
  const [templateNote, setTemplateNote] = useState<string | null>(null);
  const [sequences, setSequences] = useState<SequencesState>({ state: 'loading' });
  const inflight = useRef(false);

  useEffect(() => onReady?.(), [onReady]);
  useEffect(() => channels.subscribe(setChannel), [channels]);

  // Re-read the compose when the webmail changes it; coalesced, since typing changes it on every key.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const reread = () => {
      if (view.signal.aborted) return;
      setSnapshot((prev) => {
        const next = snapshotOf(view);
        const same = sameRecipients(prev.recipients, next.recipients) && prev.subject === next.subject && prev.body.html === next.body.html;
        return same ? prev : next;
      });
    };
    const off = view.on('change', () => {
      clearTimeout(timer);
      timer = setTimeout(reread, 120);
    });
    // The webmail may have filled the compose in between the first render and this subscription.
    reread();
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [view]);

  const plan = useMemo(() => safePlan(snapshot, customValues), [snapshot, customValues]);
  const activeChannel = channel.state === 'ready' ? channel.channel : null;
  const assessment = useMemo(() => assess(activeChannel, plan, snapshot.recipients.length), [activeChannel, plan, snapshot.recipients.length]);
  const enrol = useEnrol(snapshot.recipients, panel === 'sequences', sequences.state === 'ready' ? sequences.sequences : null);

  const onPanel = useCallback(async (next: Panel | null) => {
    setPanel(next);
    setTemplateNote(null);
    if (next === 'templates') {
      setTemplates({ state: 'loading' });
      try {
        setTemplates({ state: 'ready', templates: (await send('templates.list', {})).templates });
      } catch (error) {
        setTemplates({ state: 'error', message: messageOf(error) });
      }
    } else if (next === 'sequences') {
      setSequences({ state: 'loading' });
      try {
        const list = await listSequences();
        setSequences(list ? { state: 'ready', sequences: list } : { state: 'unavailable' });
      } catch (error) {
        setSequences({ state: 'error', message: messageOf(error) });
      }
    }
  }, []);

  const onInsertTemplate = useCallback(
    (template: Template) => {
      try {
        const recipients = view.getRecipients();
        let fields: string[] = [];
        try {
          fields = fieldsUsed(template.subject, template.body);
        } catch {
          // A template that does not parse goes in as written; the send check reports it.
        }
        // One known recipient and nothing the rep must fill in: resolve now, so the rep sees the real text.
        const only = recipients.length === 1 ? recipients[0]! : null;
        const resolve = only && fields.length > 0 && customFields(fields).length === 0;
        const values = resolve ? valuesFor(only) : null;
        const subject = values ? renderTemplate(template.subject, values) : template.subject;
        const body = values ? renderTemplate(template.body, values) : template.body;
        // An inline reply keeps the thread's "Re:" subject.
        if (!view.isInlineReply()) view.setSubject(subject);
        view.setBody(body);
        setSnapshot(snapshotOf(view));
        setTemplateNote(
          resolve && only ? i18n.t('sidebar.templates.resolvedFor', [only.name || only.address]) : fields.length ? i18n.t('sidebar.templates.keptFields') : null,
        );
      } catch (error) {
        console.error('[sendway] template insert failed', error);
        setTemplateNote(i18n.t('sidebar.templates.failed', [messageOf(error)]));
      }
    },
    [view],
  );

  const deliver = useCallback(
    async (event: MouseEvent<HTMLButtonElement>, sendAt?: Date) => {
      // Only a real click by the rep sends: never a script on the page.
      if (!event.nativeEvent.isTrusted || inflight.current) return;
      inflight.current = true;
      setBusy(true);
      const channelName = activeChannel?.name ?? '';
      const sendAtIso = sendAt?.toISOString();
      try {
        const current = safePlan(snapshotOf(view), customValues);
        if (!current.messages.length) {
          setStatus({ kind: 'error', text: current.invalid ?? (current.unknown.length ? i18n.t('sidebar.warnings.unknownFields', [current.unknown.join(', ')]) : i18n.t('sidebar.progress.noRecipients')) });
          return;
        }
        const items = await Promise.all(
          current.messages.map(async (m) => ({ idempotencyKey: await idempotencyKey(view.id, m, sendAtIso), draft: m.draft })),
        );
        const results: SendOutcome[] = [];
        let requestError: string | null = null;
        for (let i = 0; i < items.length && !requestError; i += CHUNK) {
          setStatus({
            kind: 'progress',
            done: i,
            total: items.length,
            text: i18n.t(sendAt ? 'sidebar.progress.scheduling' : 'sidebar.progress.sending', [String(Math.min(i + 1, items.length)), String(items.length)]),
          });
          try {
            const reply = await send('mail.send', {
              ...(activeChannel ? { channelId: activeChannel.id } : {}),
              messages: items.slice(i, i + CHUNK),
              ...(sendAtIso ? { sendAt: sendAtIso } : {}),
            });
            results.push(...reply.results);
          } catch (error) {
            requestError = messageOf(error);
          }
        }
        void channels.refresh();
        const failures = results.filter((r): r is Extract<SendOutcome, { ok: false }> => !r.ok);
        const unsent = items.length - (results.length - failures.length);
        if (unsent > 0) {
          const reason = requestError ?? failures[0]?.message ?? '';
          setStatus({
            kind: 'error',
            text:
              unsent === items.length
                ? i18n.t('sidebar.progress.error', [reason])
                : i18n.t('sidebar.progress.failed', [String(unsent), String(items.length), reason]),
          });
          return;
        }
        const done = sendAt
          ? i18n.t('sidebar.progress.scheduled', items.length, [String(items.length), formatWhen(sendAtIso!)])
          : i18n.t('sidebar.progress.sent', items.length, [String(items.length), channelName]);
        setStatus({ kind: 'success', text: done });
        // The mail left through the channel: the webmail's own draft must not be sent as well.
        const closed = await view.discard().catch((error: unknown) => {
          console.warn('[sendway] could not discard the webmail draft', error);
          return false;
        });
        if (closed) notify(done);
        else setStatus({ kind: 'error', text: `${done} ${i18n.t('sidebar.progress.discardFailed')}` });
      } catch (error) {
        console.error('[sendway] send failed', error);
        setStatus({ kind: 'error', text: i18n.t('sidebar.progress.error', [messageOf(error)]) });
      } finally {
        inflight.current = false;
        setBusy(false);
      }
    },
    [view, customValues, activeChannel, channels, notify],
  );

  return (
    <Sidebar
      webmail={view.webmail}
      collapsed={collapsed}
      onToggle={() => {
        setCollapsed((c) => {
          void saveUiPrefs({ collapsed: !c });
          return !c;
        });
      }}
      recipients={snapshot.recipients}
      channel={channel}
      assessment={assessment}
      customFields={plan.custom}
      customValues={customValues}
      onCustomChange={(field, value) => setCustomValues((v) => ({ ...v, [field]: value }))}
      panel={panel}
      onPanel={(p) => void onPanel(p)}
      busy={busy}
      status={status}
      onSend={(e) => void deliver(e)}
      templates={templates}
      templateNote={templateNote}
      onInsertTemplate={onInsertTemplate}
      previewTemplate={(t) => previewSubject(t, snapshot.recipients[0])}
      scheduleDefault={defaultScheduleTime(activeChannel?.limits.nextSlotAt)}
      onSchedule={(e, at) => void deliver(e, at)}
      sequences={sequences}
      enrol={enrol}
    />
  );
}
