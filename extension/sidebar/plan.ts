import { OutgoingDraft } from '../../shared/messages/channels';
import { describeZodError } from '../../shared/messages/define';
import {
  customFields,
  fieldsUsed,
  renderTemplate,
  TemplateSyntaxError,
  unknownFields,
  valuesFor,
  type MergeValues,
} from '../../shared/templates';
import type { ComposeBody, Recipient } from '../compose/driver';

/** What the sidebar read from the compose at the moment of sending. */
export interface ComposeSnapshot {
  recipients: Recipient[];
  subject: string;
  body: ComposeBody;
}

export interface PlannedMessage {
  /** Which part of the compose this message is: 'all', or the recipient's address. */
  key: string;
  draft: OutgoingDraft;
}

export interface SendPlan {
  mode: 'single' | 'perRecipient';
  messages: PlannedMessage[];
  /** Merge fields the compose uses. */
  fields: string[];
  /** Custom fields the rep must fill in (or has filled in). */
  custom: string[];
  /** Fields without a value: sending is blocked until they are filled in. */
  unknown: string[];
  /** Liquid could not read the markup: the message goes out exactly as written. */
  syntaxError?: string;
  /** A draft the schema refuses (bad address, line break in the subject…), naming the field. */
  invalid?: string;
}

// Display names go into headers: no control characters, and at most 200 characters.
const headerName = (name: string) => name.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 200);
const toAddress = (r: Recipient) => (r.name ? { name: headerName(r.name), address: r.address } : r.address);
const subjectLine = (s: string) => s.replace(/[\r\n\0]+/g, ' ');

/**
 * Turns a compose into the messages to send: one message as written, or —
 * when the compose uses merge fields — one personalised message per
 * recipient (each recipient alone in To, so nobody sees another's copy).
 */
export function planSend(snapshot: ComposeSnapshot, customValues: MergeValues = {}): SendPlan {
  const { recipients, body } = snapshot;
  const subject = subjectLine(snapshot.subject);
  let fields: string[] = [];
  let syntaxError: string | undefined;
  try {
    fields = fieldsUsed(subject, body.text, body.html);
  } catch (error) {
    if (!(error instanceof TemplateSyntaxError)) throw error;
    syntaxError = error.message;
  }
  const custom = customFields(fields);
  const filled = Object.fromEntries(custom.filter((f) => (customValues[f] ?? '').trim() !== '').map((f) => [f, customValues[f]!]));
  const unknown = unknownFields(fields, filled);
  const base: SendPlan = { mode: 'single', messages: [], fields, custom, unknown, syntaxError };
  if (!recipients.length) return base;

  let messages: PlannedMessage[];
  let mode: SendPlan['mode'] = 'single';
  if (fields.length && !syntaxError) {
    mode = 'perRecipient';
    if (unknown.length) return { ...base, mode };
    messages = recipients.map((r) => {
      const values = valuesFor(r, filled);
      return {
        key: r.address,
        draft: {
          to: [toAddress(r)],
          subject: subjectLine(renderTemplate(subject, values)),
          text: renderTemplate(body.text, values),
          html: renderTemplate(body.html, values, { html: true }),
        },
      };
    });
  } else {
    const of = (kind: Recipient['kind']) => recipients.filter((r) => r.kind === kind).map(toAddress);
    const to = of('to');
    const cc = of('cc');
    const bcc = of('bcc');
    // A compose with only Cc/Bcc still needs a To: the first Cc moves up, else Bcc stays blind to each other.
    messages = [
      {
        key: 'all',
        draft: {
          to: to.length ? to : cc.length ? cc.splice(0, 1) : bcc.splice(0, 1),
          ...(cc.length ? { cc } : {}),
          ...(bcc.length ? { bcc } : {}),
          subject,
          text: body.text,
          html: body.html,
        },
      },
    ];
  }
  for (const m of messages) {
    const parsed = OutgoingDraft.safeParse(m.draft);
    if (!parsed.success) return { ...base, mode, invalid: describeZodError(parsed.error).message };
  }
  return { ...base, mode, messages };
}

/** How many recipients the plan reaches (what a per-recipient daily limit counts). */
export function recipientTotal(plan: SendPlan): number {
  return plan.messages.reduce((n, m) => n + m.draft.to.length + (m.draft.cc?.length ?? 0) + (m.draft.bcc?.length ?? 0), 0);
}

/**
 * A key that is the same when the rep clicks Send again on the same content
 * (so a retry never sends twice) and differs for different content or
 * another compose.
 */
export async function idempotencyKey(composeId: string, message: PlannedMessage, sendAt?: string): Promise<string> {
  const material = JSON.stringify([composeId, message.key, message.draft, sendAt ?? null]);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(material));
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `sw-${hex.slice(0, 40)}`;
}
