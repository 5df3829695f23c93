import { z } from 'zod';
import { defineMessages } from './define';
import { ChannelKind } from '../schemas/policy';
import { MailContent, NamedAddress, EmailAddress } from '../schemas/mail';
import { MessageStatus } from '../schemas/relay-api';
import { WindowUsage } from '../limits';

/** A delivery channel as every extension view sees it (no secrets: content scripts get this too). */
export const ChannelView = z.object({
  id: z.string(),
  kind: ChannelKind,
  name: z.string(),
  scope: z.enum(['personal', 'domain']),
  /** The address mail goes out as, when known (Gmail account, Office 365 mailbox). */
  account: z.string().optional(),
  status: z.enum(['ready', 'needs_reconnect', 'signed_out', 'unreachable']),
  /** How a relay channel signs in: 'oauth2' is Office 365 with Microsoft sign-in (its Reconnect signs in again). */
  auth: z.enum(['password', 'oauth2']).optional(),
  statusMessage: z.string().optional(),
  limits: z.object({
    perMinute: WindowUsage,
    perDay: WindowUsage.extend({ unit: z.enum(['messages', 'recipients']) }),
    perMessage: z.number().nullable(),
    nextSlotAt: z.iso.datetime(),
    queued: z.number().int(),
    sent: z.number().int(),
    failed: z.number().int(),
  }),
});
export type ChannelView = z.infer<typeof ChannelView>;

/** A message as a compose or a sequence step hands it over; the background fills `from` from the channel. */
export const OutgoingDraft = MailContent.extend({
  from: MailContent.shape.from.optional(),
  /** Gmail thread to reply in (Gmail channel only). */
  threadId: z.string().max(100).optional(),
})
  .strict()
  .refine((m) => m.text !== undefined || m.html !== undefined, { message: 'text or html is required', path: ['text'] });
export type OutgoingDraft = z.infer<typeof OutgoingDraft>;

export const SendOutcome = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    /** Outbox id (relay message id or local Gmail outbox id). */
    id: z.string(),
    status: MessageStatus,
    messageId: z.string().optional(),
    threadId: z.string().optional(),
  }),
  z.object({ ok: z.literal(false), code: z.string(), message: z.string() }),
]);
export type SendOutcome = z.infer<typeof SendOutcome>;

export const channelMessages = defineMessages({
  'channels.list': {
    request: z.object({}).strict(),
    response: z.object({ channels: z.array(ChannelView), activeChannelId: z.string().nullable() }),
  },
  'channels.setActive': {
    request: z.object({ channelId: z.string().min(1).max(200) }).strict(),
    response: z.object({ activeChannelId: z.string() }),
    trusted: true,
  },
  /**
   * Sends (or schedules) messages through a channel. Each message carries an
   * idempotency key so a retried click never sends twice.
   */
  'mail.send': {
    request: z
      .object({
        channelId: z.string().min(1).max(200).optional(),
        messages: z
          .array(z.object({ idempotencyKey: z.string().min(8).max(200), draft: OutgoingDraft }).strict())
          .min(1)
          .max(500),
        sendAt: z.iso.datetime({ offset: true }).optional(),
      })
      .strict(),
    response: z.object({ results: z.array(SendOutcome) }),
  },
});

export { NamedAddress, EmailAddress };
