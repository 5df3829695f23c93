import { z } from 'zod';
import { defineMessages, ErrorBody } from './define';
import { HeaderText } from '../schemas/mail';
import { VerifyResult } from '../schemas/relay-api';

/**
 * Office 365 with modern authentication. The background runs Microsoft's
 * sign-in (authorization code + PKCE through identity.launchWebAuthFlow) and
 * hands the code to the relay; no Microsoft token ever reaches the extension.
 * All trusted: only extension pages may start a sign-in.
 */
export const Office365Unavailable = z.enum([
  'not_allowed',
  'relay_not_connected',
  'relay_unsupported',
  'relay_not_configured',
  'not_configured',
  'client_mismatch',
]);

export const Office365Status = z.object({
  /** "Connect Office 365" can be offered. */
  available: z.boolean(),
  reason: Office365Unavailable.optional(),
  /** Why not, in words for the rep (with what to do). */
  message: z.string().optional(),
  tenant: z.string().optional(),
  /**
   * The last connect that did not work out, if recent. The browser closes the
   * popup while Microsoft's window has focus, so the popup would never see
   * the answer: the background keeps it for the next time it opens.
   */
  lastFailure: z.object({ at: z.iso.datetime(), result: VerifyResult.optional(), error: ErrorBody.optional() }).optional(),
});
export type Office365Status = z.infer<typeof Office365Status>;

const Connected = z.object({
  /** ChannelView id (`relay:<id>`); null when the connection test failed and a new channel was removed again. */
  channelId: z.string().nullable(),
  /** The mailbox the channel sends from. */
  account: z.string().optional(),
  result: VerifyResult,
});

export const office365Messages = defineMessages({
  'office365.status': {
    request: z.object({}).strict(),
    response: Office365Status,
    trusted: true,
  },
  /** Signs in with Microsoft, creates the rep's Office 365 channel on the relay and tests it. */
  'office365.connect': {
    request: z.object({ name: HeaderText.min(1).max(100).optional() }).strict(),
    response: Connected,
    trusted: true,
  },
  /**
   * Signs an existing Office 365 channel in again (after "needs reconnect"),
   * or switches a password channel to Microsoft sign-in. Its queued mail goes.
   */
  'office365.reconnect': {
    request: z.object({ channelId: z.string().min(1).max(200) }).strict(),
    response: Connected,
    trusted: true,
  },
});
