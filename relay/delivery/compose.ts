import type Mail from 'nodemailer/lib/mailer';
import type { Address } from '../../shared/schemas/mail';
import type { SendMessageRequest } from '../../shared/schemas/relay-api';

const addr = (a: Address): Mail.Address | string => (typeof a === 'string' ? a : { name: a.name, address: a.address });

/** The accepted request as nodemailer mail options, with the Message-ID fixed at acceptance so retries keep it. */
export function composeMail(req: SendMessageRequest, messageId: string): Mail.Options {
  const mail: Mail.Options = {
    messageId,
    from: addr(req.from),
    to: req.to.map(addr),
    subject: req.subject,
  };
  if (req.cc?.length) mail.cc = req.cc.map(addr);
  if (req.bcc?.length) mail.bcc = req.bcc.map(addr);
  if (req.text !== undefined) mail.text = req.text;
  if (req.html !== undefined) mail.html = req.html;
  if (req.replyTo) mail.replyTo = addr(req.replyTo);
  if (req.inReplyTo) mail.inReplyTo = req.inReplyTo;
  if (req.references?.length) mail.references = req.references;
  if (req.headers) mail.headers = { ...req.headers };
  if (req.listUnsubscribe) {
    // RFC 2369 + RFC 8058 one-click: mail clients show "Unsubscribe" and POST to the URL.
    mail.list = { unsubscribe: req.listUnsubscribe };
    mail.headers = { ...(mail.headers as Record<string, string> | undefined), 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
  }
  if (req.attachments?.length) {
    mail.attachments = req.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: Buffer.from(a.contentBase64, 'base64'),
    }));
  }
  return mail;
}
