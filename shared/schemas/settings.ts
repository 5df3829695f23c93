import { z } from 'zod';
import { ManagedPolicy } from './policy';

/** What a rep can set locally; policy may override any of it. */
export const LocalSettings = z
  .object({
    relayUrl: z.url({ protocol: /^https?$/ }).optional(),
    defaultChannel: z.string().min(1).max(200).optional(),
    gmailAccountType: z.enum(['consumer', 'workspace']).optional(),
    gmailDailyLimit: z.number().int().positive().max(100_000).optional(),
  })
  .strict();
export type LocalSettings = z.infer<typeof LocalSettings>;

/** Settings as the UI sees them: merged, with which keys the organisation set. */
export const EffectiveSettings = z.object({
  values: ManagedPolicy,
  managedKeys: z.array(z.string()),
  locked: z.boolean(),
  hasRelayToken: z.boolean(),
});
export type EffectiveSettings = z.infer<typeof EffectiveSettings>;

/** Keys of LocalSettings the organisation can also set (and then lock). */
export const SETTING_KEYS = Object.keys(LocalSettings.shape) as (keyof LocalSettings)[];
