import type { OutgoingDraft } from '../../../shared/messages/channels';
import type { Contact, Sequence } from '../../../shared/messages/sequences';
import type { Template } from '../../../shared/messages/templates';
import { BUILT_IN_FIELDS, fieldsUsed, renderTemplate, TemplateSyntaxError, valuesFor, type MergeValues } from '../../../shared/templates';

/** Why a step cannot be written (a template was deleted or does not parse). */
export class StepRenderError extends Error {
  override name = 'StepRenderError';
}

/** The first email's thread, for follow-ups that reply in it. */
export interface ThreadRef {
  /** The first email's subject as the contact received it. */
  subject: string;
  messageId?: string;
  /** Gmail's thread id (Gmail channel only). */
  threadId?: string;
}

export interface RenderInput {
  sequence: Pick<Sequence, 'steps'>;
  step: number;
  templates: ReadonlyMap<string, Template>;
  contact: Contact;
  /** Values given at enrolment for everyone (the contact's own fields win). */
  fields?: MergeValues;
  thread?: ThreadRef;
  unsubscribeUrl?: string;
  /** The footer's words in the rep's language: "Unsubscribe". */
  unsubscribeLabel: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
const oneLine = (s: string) => s.replace(/[\r\n\0]+/g, ' ').trim();

/** "Re: Quick question" for a follow-up in the same thread (never "Re: Re: …"). */
export function replySubject(subject: string): string {
  return /^(re|aw|antw)\s*:/i.test(subject.trim()) ? subject.trim() : `Re: ${subject.trim()}`;
}

/** Plain text (one paragraph per blank line) as simple HTML; every character of the text is escaped. */
export function textToHtml(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}

/** Every merge field the sequence's templates use, and the custom ones among them. */
export function sequenceFields(sequence: Pick<Sequence, 'steps'>, templates: ReadonlyMap<string, Template>): { used: string[]; custom: string[]; missingTemplates: string[] } {
  const used = new Set<string>();
  const missingTemplates: string[] = [];
  for (const step of sequence.steps) {
    const t = templates.get(step.templateId);
    if (!t) {
      missingTemplates.push(step.templateId);
      continue;
    }
    try {
      for (const f of fieldsUsed(t.subject, t.body)) used.add(f);
    } catch {
      // A template that does not parse is reported when it is rendered.
    }
  }
  const custom = [...used].filter((f) => !(BUILT_IN_FIELDS as readonly string[]).includes(f));
  return { used: [...used], custom, missingTemplates };
}

/** The values a contact's emails are written with: built-ins from the address and name, then custom fields. */
export function contactValues(contact: Contact, fields: MergeValues = {}): MergeValues {
  return valuesFor({ address: contact.address, ...(contact.name ? { name: contact.name } : {}) }, { ...fields, ...contact.fields });
}

/**
 * One step's email to one contact: the template written with the contact's
 * values, a follow-up as a reply in the first email's thread when the step
 * says so, and the unsubscribe link in the body and (as listUnsubscribe) for
 * the List-Unsubscribe headers.
 */
export function renderStep(input: RenderInput): OutgoingDraft {
  const step = input.sequence.steps[input.step];
  if (!step) throw new StepRenderError(`the sequence has no step ${input.step + 1}`);
  const template = input.templates.get(step.templateId);
  if (!template) throw new StepRenderError(`the template of step ${input.step + 1} was deleted`);
  const values = contactValues(input.contact, input.fields);
  let subject: string;
  let body: string;
  try {
    const own = oneLine(renderTemplate(template.subject, values));
    subject = input.step > 0 && step.sameThread && input.thread ? replySubject(input.thread.subject) : own;
    body = renderTemplate(template.body, values);
  } catch (error) {
    if (error instanceof TemplateSyntaxError) throw new StepRenderError(`the template of step ${input.step + 1} does not read: ${error.message}`);
    throw error;
  }
  let text = body;
  let html = textToHtml(body);
  if (input.unsubscribeUrl) {
    text += `\n\n--\n${input.unsubscribeLabel}: ${input.unsubscribeUrl}`;
    html += `\n<p style="color:#6b7280;font-size:12px"><a href="${escapeHtml(input.unsubscribeUrl)}">${escapeHtml(input.unsubscribeLabel)}</a></p>`;
  }
  const { contact } = input;
  const threaded = input.step > 0 && step.sameThread && input.thread;
  return {
    to: [contact.name ? { name: oneLine(contact.name).slice(0, 200), address: contact.address } : contact.address],
    ...(contact.cc?.length ? { cc: contact.cc } : {}),
    subject,
    text,
    html,
    ...(threaded && input.thread!.messageId ? { inReplyTo: input.thread!.messageId, references: [input.thread!.messageId] } : {}),
    ...(threaded && input.thread!.threadId ? { threadId: input.thread!.threadId } : {}),
    ...(input.unsubscribeUrl ? { listUnsubscribe: input.unsubscribeUrl } : {}),
  };
}
