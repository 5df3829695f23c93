import { createMimeMessage, Mailbox, type MIMEMessage } from 'mimetext/browser';
import { convert as htmlToText } from 'html-to-text';
import type { OutgoingDraft } from '../../../shared/messages/channels';
import { addressOf, type Address } from '../../../shared/schemas/mail';
import {
  byteLength,
  encodeUnstructured,
  filenameParams,
  foldIds,
  formatMailbox,
  quotedPrintable,
  wrapBase64,
} from './mime-encode';

/** Gmail refuses messages over 35 MB (attachments included) through the API. */
export const GMAIL_MAX_MESSAGE_BYTES = 35 * 1024 * 1024;

export interface MimeEnvelope {
  from: { address: string; name?: string };
  messageId: string;
  date?: Date;
}

const mailbox = (a: Address) => (typeof a === 'string' ? { addr: a } : { addr: a.address, ...(a.name ? { name: a.name } : {}) });

/** A plain-text alternative for an HTML-only draft, so every message carries one. */
export function textFromHtml(html: string): string {
  return htmlToText(html, { wordwrap: 78, selectors: [{ selector: 'img', format: 'skip' }] });
}

/**
 * Swaps mimetext's header writers for ones that fold: its own emit each
 * address and the subject as a single unbounded encoded-word.
 */
function useFoldingHeaders(msg: MIMEMessage): void {
  for (const field of msg.headers.fields) {
    if (field.name === 'Subject') field.dump = (v) => (typeof v === 'string' ? encodeUnstructured(v) : '');
    if (['From', 'Sender', 'Reply-To', 'To', 'Cc', 'Bcc'].includes(field.name)) {
      field.dump = (v) => {
        const list = (Array.isArray(v) ? v : v ? [v] : []) as Mailbox[];
        return list.map((m) => formatMailbox({ name: m.name, addr: m.addr })).join(',\r\n ');
      };
    }
  }
}

/**
 * Builds the RFC 5322 message Gmail's users.messages.send takes as `raw`.
 * Bcc stays in the headers: Gmail reads recipients from them and strips Bcc
 * before delivery.
 */
export function buildMime(draft: OutgoingDraft, envelope: MimeEnvelope): string {
  const msg = createMimeMessage();
  useFoldingHeaders(msg);
  msg.setSender({ addr: envelope.from.address, ...(envelope.from.name ? { name: envelope.from.name } : {}) });
  msg.setTo(draft.to.map(mailbox));
  if (draft.cc?.length) msg.setCc(draft.cc.map(mailbox));
  if (draft.bcc?.length) msg.setBcc(draft.bcc.map(mailbox));
  if (draft.replyTo) msg.setHeader('Reply-To', new Mailbox(mailbox(draft.replyTo)));
  msg.setSubject(draft.subject);
  msg.setHeader('Message-ID', envelope.messageId);
  if (envelope.date) msg.setHeader('Date', envelope.date.toUTCString().replace(/GMT$/, '+0000'));
  if (draft.inReplyTo) msg.setHeader('In-Reply-To', draft.inReplyTo);
  const references = draft.references ?? (draft.inReplyTo ? [draft.inReplyTo] : []);
  if (references.length) msg.setHeader('References', foldIds(references));
  for (const [name, value] of Object.entries(draft.headers ?? {})) msg.setHeader(name, value);
  if (draft.listUnsubscribe) {
    // RFC 2369 + RFC 8058 one-click unsubscribe (sequence emails).
    msg.setHeader('List-Unsubscribe', `<${draft.listUnsubscribe}>`);
    msg.setHeader('List-Unsubscribe-Post', 'List-Unsubscribe=One-Click');
  }

  const text = draft.text ?? (draft.html !== undefined ? textFromHtml(draft.html) : '');
  msg.addMessage({ contentType: 'text/plain', encoding: 'quoted-printable', data: quotedPrintable(text) });
  if (draft.html !== undefined) {
    msg.addMessage({ contentType: 'text/html', encoding: 'quoted-printable', data: quotedPrintable(draft.html) });
  }
  for (const a of draft.attachments ?? []) {
    const part = msg.addAttachment({ filename: a.filename, contentType: a.contentType, data: wrapBase64(a.contentBase64) });
    // mimetext writes the filename raw into the header; replace with an encoded one.
    part.setHeader('Content-Type', `${a.contentType}; ${filenameParams('name', a.filename)}`);
    part.setHeader('Content-Disposition', `attachment; ${filenameParams('filename', a.filename)}`);
  }
  return msg.asRaw();
}

export function mimeSize(raw: string): number {
  return byteLength(raw);
}

export function recipientsOf(draft: Pick<OutgoingDraft, 'to' | 'cc' | 'bcc'>): string[] {
  return [...draft.to, ...(draft.cc ?? []), ...(draft.bcc ?? [])].map(addressOf);
}

/** A Message-ID in the sender's domain, so replies thread on every client. */
export function newMessageId(fromAddress: string, random: string): string {
  const domain = fromAddress.split('@')[1] || 'sendway.invalid';
  return `<${random}@${domain}>`;
}
