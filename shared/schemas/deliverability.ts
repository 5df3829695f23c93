import { z } from 'zod';

export const CheckStatus = z.enum(['pass', 'warn', 'fail']);
export type CheckStatus = z.infer<typeof CheckStatus>;

/** One DNS check of one sending domain, with the fix in plain words. */
export const DeliverabilityCheck = z.object({
  check: z.enum(['spf', 'dkim', 'dmarc', 'mx']),
  domain: z.string(),
  status: CheckStatus,
  /** Stable reason code, for localised UI text. */
  code: z.string(),
  /** What the check found, e.g. the SPF record as published. */
  found: z.string().optional(),
  message: z.string(),
  /** What to do about it, in plain words. */
  fix: z.string().optional(),
  /** The exact DNS record to publish, where it can be computed. */
  record: z.object({ type: z.enum(['TXT', 'CNAME']), name: z.string(), value: z.string() }).optional(),
});
export type DeliverabilityCheck = z.infer<typeof DeliverabilityCheck>;

export const DeliverabilityReport = z.object({
  channelId: z.string(),
  status: CheckStatus,
  /** Who signs and whose reputation is at stake, in a sentence. */
  summary: z.string(),
  domains: z.array(z.string()),
  checks: z.array(DeliverabilityCheck),
  checkedAt: z.iso.datetime(),
});
export type DeliverabilityReport = z.infer<typeof DeliverabilityReport>;

export function worstStatus(statuses: CheckStatus[]): CheckStatus {
  if (statuses.includes('fail')) return 'fail';
  if (statuses.includes('warn')) return 'warn';
  return 'pass';
}
