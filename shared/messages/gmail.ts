import { z } from 'zod';
import { defineMessages } from './define';

export const GmailStatus = z.object({
  /** False when no Google OAuth client id is configured (build env or policy). */
  configured: z.boolean(),
  connected: z.boolean(),
  account: z.string().optional(),
  accountType: z.enum(['consumer', 'workspace']),
  dailyLimit: z.number().int(),
  /** Set when the last silent re-auth failed and the rep must sign in again. */
  needsSignIn: z.boolean(),
  scopes: z.array(z.string()),
  /** False when policy's allowedChannels leaves Gmail out. */
  allowed: z.boolean().optional(),
  /** Google paused sending from this account (its sending limit) until then. */
  pausedUntil: z.iso.datetime().optional(),
  /** After gmail.disconnect: whether Google confirmed the revocation. */
  revoked: z.boolean().optional(),
});
export type GmailStatus = z.infer<typeof GmailStatus>;

/** Gmail channel: sign in with Google, sign out (revokes), status for the popup. */
export const gmailMessages = defineMessages({
  'gmail.status': {
    request: z.object({}).strict(),
    response: GmailStatus,
    trusted: true,
  },
  'gmail.connect': {
    request: z.object({}).strict(),
    response: GmailStatus,
    trusted: true,
  },
  'gmail.disconnect': {
    request: z.object({}).strict(),
    response: GmailStatus,
    trusted: true,
  },
});
