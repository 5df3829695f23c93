import { z } from 'zod';
import { LimitOverrideInput, LimitSpec, WindowUsage } from '../limits';
import { HeaderText, MailContent, MessageIdRef } from './mail';

/**
 * The relay's HTTP API, request and response bodies. The relay validates with
 * these (and publishes them as OpenAPI); the extension parses answers with them.
 */

export const Id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'must be an id');

export const Provider = z.enum(['office365', 'sparkpost', 'sendgrid', 'smtp']);
export type Provider = z.infer<typeof Provider>;

export const Security = z.enum(['starttls', 'tls', 'none']);
export type Security = z.infer<typeof Security>;

const Hostname = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.-]+$|^\[?[0-9A-Fa-f:.]+\]?$/, 'must be a host name or IP address');

const Domain = z
  .string()
  .min(1)
  .max(253)
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'must be a domain like example.com')
  .transform((d) => d.toLowerCase());

/** An SMTP password: SASL PLAIN separates its fields with NUL (RFC 4616), so a NUL in the password could never authenticate. */
const SmtpPassword = z.string().min(1).max(1000).regex(/^[^\0]*$/, 'must not contain NUL characters');

export const CreateChannelRequest = z
  .object({
    name: HeaderText.min(1).max(100),
    provider: Provider,
    host: Hostname.optional(),
    port: z.number().int().min(1).max(65535).optional(),
    security: Security.optional(),
    username: HeaderText.min(1).max(320).optional(),
    password: SmtpPassword,
    scope: z.enum(['personal', 'domain']),
    domains: z.array(Domain).min(1).max(50).optional(),
    limits: LimitOverrideInput.optional(),
  })
  .strict();
export type CreateChannelRequest = z.infer<typeof CreateChannelRequest>;

/** PATCH /v1/channels/:id: new credentials or settings (e.g. after a password change). */
export const UpdateChannelRequest = z
  .object({
    name: HeaderText.min(1).max(100).optional(),
    host: Hostname.optional(),
    port: z.number().int().min(1).max(65535).optional(),
    security: Security.optional(),
    username: HeaderText.min(1).max(320).optional(),
    password: SmtpPassword.optional(),
    limits: LimitOverrideInput.optional(),
  })
  .strict();
export type UpdateChannelRequest = z.infer<typeof UpdateChannelRequest>;

export const ChannelStatus = z.enum(['active', 'needs_reconnect']);

/** A channel as the API shows it: never the password or any token. */
export const Channel = z.object({
  id: Id,
  name: z.string(),
  provider: Provider,
  host: z.string(),
  port: z.number(),
  security: Security,
  username: z.string(),
  auth: z.enum(['password', 'oauth2']),
  scope: z.enum(['personal', 'domain']),
  domains: z.array(z.string()),
  ownerEmail: z.string(),
  limits: LimitSpec,
  status: ChannelStatus,
  createdAt: z.iso.datetime(),
});
export type Channel = z.infer<typeof Channel>;

export const ChannelList = z.object({ channels: z.array(Channel) });

export const VerifyCode = z.enum([
  'auth_failed',
  'smtp_auth_disabled',
  'basic_auth_unsupported',
  'tls_failed',
  'connect_failed',
  'timeout',
  'egress_denied',
  'needs_reconnect',
]);
export type VerifyCode = z.infer<typeof VerifyCode>;

export const VerifyResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), code: VerifyCode, message: z.string() }),
]);
export type VerifyResult = z.infer<typeof VerifyResult>;

export const SendMessageRequest = MailContent.extend({
  channelId: Id,
  sendAt: z.iso.datetime({ offset: true }).optional(),
})
  .strict()
  .refine((m) => m.text !== undefined || m.html !== undefined, { message: 'text or html is required', path: ['text'] });
export type SendMessageRequest = z.infer<typeof SendMessageRequest>;

export const MessageStatus = z.enum(['scheduled', 'queued', 'sending', 'retrying', 'sent', 'failed', 'cancelled']);
export type MessageStatus = z.infer<typeof MessageStatus>;

/** 202 answer to POST /v1/messages (also for a replay of the same Idempotency-Key). */
export const SendMessageResponse = z.object({ id: Id, status: MessageStatus, messageId: MessageIdRef });
export type SendMessageResponse = z.infer<typeof SendMessageResponse>;

export const MessageView = z.object({
  id: Id,
  channelId: Id,
  status: MessageStatus,
  attempts: z.number().int(),
  lastError: z.string().optional(),
  messageId: MessageIdRef,
  subject: z.string(),
  to: z.array(z.string()),
  recipients: z.number().int(),
  createdAt: z.iso.datetime(),
  sendAt: z.iso.datetime().optional(),
  nextAttemptAt: z.iso.datetime().optional(),
  sentAt: z.iso.datetime().optional(),
});
export type MessageView = z.infer<typeof MessageView>;

export const MessageList = z.object({ messages: z.array(MessageView) });

export const ChannelLimits = z.object({
  channelId: Id,
  perMinute: WindowUsage,
  perDay: WindowUsage.extend({ unit: z.enum(['messages', 'recipients']) }),
  perMessage: z.number().nullable(),
  nextSlotAt: z.iso.datetime(),
  queued: z.number().int(),
  sent: z.number().int(),
  failed: z.number().int(),
  held: z.object({ until: z.iso.datetime(), reason: z.string() }).optional(),
});
export type ChannelLimits = z.infer<typeof ChannelLimits>;

export const LimitsList = z.object({ limits: z.array(ChannelLimits) });

export const Me = z.object({ email: z.string(), admin: z.boolean() });

export const CreateTokensRequest = z
  .object({ tokens: z.array(z.object({ email: z.email(), admin: z.boolean().optional() }).strict()).min(1).max(1000) })
  .strict();
export const CreateTokensResponse = z.object({
  tokens: z.array(z.object({ email: z.string(), token: z.string(), id: z.string().optional(), admin: z.boolean().optional() })),
});

export const ApiError = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});
export type ApiError = z.infer<typeof ApiError>;
