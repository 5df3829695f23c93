import { z } from 'zod';

/** Delivery channel kinds an admin can allow. */
export const ChannelKind = z.enum(['gmail', 'office365', 'sparkpost', 'sendgrid', 'smtp']);
export type ChannelKind = z.infer<typeof ChannelKind>;

export const LimitOverride = z
  .object({
    perMinute: z.number().int().positive().optional(),
    perDay: z.number().int().positive().optional(),
    perMessage: z.number().int().positive().optional(),
  })
  .strict();

/**
 * Enterprise settings pushed by policy (chrome.storage.managed). Mirrors
 * extension/public/managed_schema.json; a unit test keeps the two in step.
 * Browsers drop values that do not match the JSON schema, and we parse
 * field by field so one bad value never discards the rest.
 */
export const ManagedPolicy = z
  .object({
    relayUrl: z.url({ protocol: /^https?$/ }),
    defaultChannel: z.string().min(1).max(200),
    allowedChannels: z.array(ChannelKind),
    lockSettings: z.boolean(),
    teamChannelId: z.string().min(1).max(200),
    // partialRecord: an admin overrides only the kinds they care about (z.record with an enum key wants every kind).
    limits: z.partialRecord(ChannelKind, LimitOverride),
    googleClientId: z.string().min(1).max(300),
    googleAuthUrl: z.url({ protocol: /^https?$/ }),
    googleRevokeUrl: z.url({ protocol: /^https?$/ }),
    gmailApiBase: z.url({ protocol: /^https?$/ }),
    gmailAccountType: z.enum(['consumer', 'workspace']),
    gmailDailyLimit: z.number().int().positive(),
    gmailMetadataScope: z.boolean(),
    microsoftClientId: z.string().min(1).max(300),
    microsoftTenant: z.string().min(1).max(200),
    microsoftAuthUrl: z.url({ protocol: /^https?$/ }),
  })
  .partial();
export type ManagedPolicy = z.infer<typeof ManagedPolicy>;

/** Parses what the browser handed us, keeping every field that is valid on its own. */
export function parseManagedPolicy(raw: unknown): { policy: ManagedPolicy; rejected: string[] } {
  const policy: Record<string, unknown> = {};
  const rejected: string[] = [];
  if (!raw || typeof raw !== 'object') return { policy: {}, rejected };
  const shape = ManagedPolicy.shape;
  for (const [key, value] of Object.entries(raw)) {
    const field = (shape as Record<string, z.ZodType>)[key];
    if (!field) {
      rejected.push(key);
      continue;
    }
    const parsed = field.safeParse(value);
    if (parsed.success && parsed.data !== undefined) policy[key] = parsed.data;
    else rejected.push(key);
  }
  return { policy: policy as ManagedPolicy, rejected };
}
