import { z } from 'zod';
import { defineMessages, ErrorBody } from './define';
import {
  Channel,
  CreateChannelRequest,
  MessageStatus,
  MessageView,
  UpdateChannelRequest,
  VerifyResult,
} from '../schemas/relay-api';

/**
 * The relay connection, relay channel management and the outbox, as the
 * popup and options page use them. Every one is trusted: they touch the relay
 * token or other people's mail, so content scripts are refused.
 *
 * Channel ids here are the ids of ChannelView (`relay:<relay channel id>`),
 * so the popup can pass the same id to 'channels.setActive' and 'mail.send'.
 */

export const RelayAccount = z.object({ email: z.string(), admin: z.boolean() });
export type RelayAccount = z.infer<typeof RelayAccount>;

export const RelayStatus = z.object({
  /** The effective relay URL (policy wins over the rep's own), or null when none is set. */
  relayUrl: z.string().nullable(),
  /** True when the organisation set the relay URL; the popup shows it read-only. */
  urlManaged: z.boolean(),
  /** A token is stored (encrypted) in the vault. */
  hasToken: z.boolean(),
  /** The relay answered GET /v1/me with this token just now. */
  connected: z.boolean(),
  account: RelayAccount.optional(),
  /** Host permission for the relay's origin is granted. */
  permission: z.boolean(),
  /** The relay can put a failed or cancelled send back in the queue (its OpenAPI document lists the endpoint). */
  canRetry: z.boolean().default(false),
  /** Why the relay is not usable right now, in words for the rep. */
  error: ErrorBody.optional(),
});
export type RelayStatus = z.infer<typeof RelayStatus>;

/** A relay channel with its ChannelView id; never a password. */
export const RelayChannelInfo = Channel.extend({
  /** `relay:<relay id>`, the id every other message uses. */
  id: z.string(),
  relayId: z.string(),
  /** The rep may delete it (they own it, or they are a relay admin). */
  canDelete: z.boolean(),
});
export type RelayChannelInfo = z.infer<typeof RelayChannelInfo>;

/** A recent send as the outbox shows it. */
export const OutboxItem = MessageView.extend({
  /** ChannelView id (`relay:<relay id>`). */
  channelId: z.string(),
});
export type OutboxItem = z.infer<typeof OutboxItem>;

const ChannelRef = z.object({ channelId: z.string().min(1).max(200) }).strict();
const MessageRef = z.object({ id: z.string().min(1).max(64) }).strict();

export const relayMessages = defineMessages({
  /** Where the relay is and whether it accepts the stored token (asks GET /v1/me). */
  'relay.status': {
    request: z.object({}).strict(),
    response: RelayStatus,
    trusted: true,
  },
  /**
   * Checks the token against GET /v1/me and only then stores it (encrypted)
   * and the URL (in local settings, unless the organisation set one). The
   * popup must have been granted the relay origin's host permission first.
   */
  'relay.connect': {
    request: z
      .object({
        relayUrl: z.url({ protocol: /^https?$/, error: 'must be a web address starting with https://' }).optional(),
        token: z.string().trim().min(8, 'looks too short to be an access token').max(500),
      })
      .strict(),
    response: RelayStatus,
    trusted: true,
  },
  /** Forgets the token (the URL stays, so reconnecting needs only a new token). */
  'relay.disconnect': {
    request: z.object({}).strict(),
    response: RelayStatus,
    trusted: true,
  },
  'relay.channels.list': {
    request: z.object({}).strict(),
    response: z.object({ channels: z.array(RelayChannelInfo), account: RelayAccount }),
    trusted: true,
  },
  /**
   * Creates a channel on the relay (organisation limit overrides are applied
   * here) and tests it at once. A channel whose test fails is removed again,
   * so a wrong password never lingers as a broken channel: the rep corrects
   * the form and tries again. `channelId` is null then.
   */
  'relay.channels.create': {
    request: z.object({ channel: CreateChannelRequest }).strict(),
    response: z.object({ channelId: z.string().nullable(), result: VerifyResult }),
    trusted: true,
  },
  /**
   * New credentials for a channel (typically the password after the rep
   * changed it), then a connection test. The relay puts the channel's queue
   * back to work once the new credentials are in.
   */
  'relay.channels.update': {
    request: z.object({ channelId: z.string().min(1).max(200), changes: UpdateChannelRequest }).strict(),
    response: z.object({ result: VerifyResult }),
    trusted: true,
  },
  /** "Test connection": connects, upgrades TLS and logs in without sending. */
  'relay.channels.verify': {
    request: ChannelRef,
    response: VerifyResult,
    trusted: true,
  },
  'relay.channels.delete': {
    request: ChannelRef,
    response: z.object({ deleted: z.literal(true) }),
    trusted: true,
  },
  /** The rep's recent sends through the relay, newest first. */
  'outbox.list': {
    request: z
      .object({ status: MessageStatus.optional(), limit: z.number().int().min(1).max(200).default(50) })
      .strict(),
    response: z.object({ messages: z.array(OutboxItem) }),
    trusted: true,
  },
  /** Cancels a send that has not started yet. */
  'outbox.cancel': {
    request: MessageRef,
    response: z.object({ message: OutboxItem }),
    trusted: true,
  },
  /** Puts a failed or cancelled send back in the queue. */
  'outbox.retry': {
    request: MessageRef,
    response: z.object({ message: OutboxItem }),
    trusted: true,
  },
});
