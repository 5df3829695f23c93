import { z } from 'zod';

/**
 * Building blocks for anything that ends up in a mail header. CR, LF and NUL
 * are refused everywhere a value could reach a header: that is how header
 * injection is stopped at the boundary rather than hoped away later.
 */
export const HeaderText = z.string().regex(/^[^\r\n\0]*$/, 'must not contain line breaks or NUL characters');

/** ASCII addresses only: internationalised (SMTPUTF8) addresses are refused with a clear error. */
export const EmailAddress = z
  .string()
  .max(254)
  .regex(/^[^\r\n\0]*$/, 'must not contain line breaks or NUL characters')
  .pipe(z.email('must be a valid email address (ASCII only)'))
  // RFC 5321 4.5.3.1 / RFC 1035: servers refuse (or mangle) longer local parts and domain labels; z.email() does not check them.
  .refine(
    (s) => s.lastIndexOf('@') <= 64 && s.slice(s.lastIndexOf('@') + 1).split('.').every((label) => label.length <= 63),
    'must be a valid email address (at most 64 characters before the @, at most 63 between dots)',
  )
  .transform((s) => s.toLowerCase());

export const NamedAddress = z
  .object({ name: HeaderText.max(200), address: EmailAddress })
  .strict();

/** "rep@example.com" or {name, address}. */
export const Address = z.union([EmailAddress, NamedAddress]);
export type Address = z.infer<typeof Address>;

export function addressOf(a: Address): string {
  return typeof a === 'string' ? a : a.address;
}

/** <local@domain> as in Message-ID, In-Reply-To and References. */
export const MessageIdRef = z
  .string()
  .max(998)
  .regex(/^<[^<>\s\0]+@[^<>\s\0]+>$/, 'must look like <id@domain>');

export const Attachment = z
  .object({
    filename: HeaderText.min(1)
      .max(255)
      .regex(/^[^/\\]*$/, 'must not contain path separators')
      // Embeddings, overrides and isolates reorder what a mail client shows: "invoice\u202Efdp.exe" reads as "invoiceexe.pdf".
      .regex(/^[^\u202A-\u202E\u2066-\u2069]*$/, 'must not contain bidirectional control characters (they can disguise the real file extension)'),
    contentType: z
      .string()
      .max(255)
      .regex(/^[a-zA-Z0-9][a-zA-Z0-9!#$&^_.+-]*\/[a-zA-Z0-9][a-zA-Z0-9!#$&^_.+-]*$/, 'must be a MIME type like application/pdf'),
    contentBase64: z
      .string()
      .max(14_000_000)
      .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be valid base64'),
  })
  .strict();
export type Attachment = z.infer<typeof Attachment>;

/**
 * An http(s) URL that goes into a header as <url>: no whitespace, CR/LF, NUL,
 * quotes or angle brackets (URL parsing would silently drop line breaks).
 */
export const UnsubscribeUrl = z
  .string()
  .max(2000)
  .regex(/^[^\s<>"\0]+$/, 'must be a URL without spaces, line breaks, quotes or angle brackets')
  .pipe(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }));

/** Only X- headers; the relay owns every standard header. */
export const ExtraHeaders = z
  .record(z.string().regex(/^X-[A-Za-z0-9-]{1,70}$/, 'only X- headers are allowed'), HeaderText.max(998))
  .refine((h) => Object.keys(h).length <= 20, 'at most 20 extra headers');

/** What a message is made of, whichever channel carries it. */
export const MailContent = z
  .object({
    from: Address,
    to: z.array(Address).min(1).max(1000),
    cc: z.array(Address).max(1000).optional(),
    bcc: z.array(Address).max(1000).optional(),
    subject: HeaderText.max(998),
    text: z.string().max(5_000_000).optional(),
    html: z.string().max(5_000_000).optional(),
    replyTo: Address.optional(),
    inReplyTo: MessageIdRef.optional(),
    references: z.array(MessageIdRef).max(100).optional(),
    headers: ExtraHeaders.optional(),
    attachments: z.array(Attachment).max(20).optional(),
    /**
     * One-click unsubscribe URL (RFC 8058): the channel adds List-Unsubscribe
     * and List-Unsubscribe-Post headers for it. Sequence emails carry one.
     */
    listUnsubscribe: UnsubscribeUrl.optional(),
  })
  .strict();
export type MailContent = z.infer<typeof MailContent>;

export function recipientCount(m: Pick<MailContent, 'to' | 'cc' | 'bcc'>): number {
  return m.to.length + (m.cc?.length ?? 0) + (m.bcc?.length ?? 0);
}
