import { z } from 'zod';
import { defineMessages } from './define';
import { DeliverabilityReport } from '../schemas/deliverability';

/**
 * Does this channel protect the company's sending reputation? The relay asks
 * DNS; for Gmail on a consumer address there is nothing to check (Google's
 * own domain), which `note` says.
 */
export const deliverabilityMessages = defineMessages({
  'deliverability.check': {
    request: z
      .object({
        channelId: z.string().min(1).max(200),
        dkimSelector: z
          .string()
          .max(63)
          .regex(/^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/i, 'must be a DKIM selector like s1 or mail2026')
          .optional(),
        refresh: z.boolean().optional(),
      })
      .strict(),
    response: z.object({
      report: DeliverabilityReport.nullable(),
      note: z.enum(['provider_domain', 'relay_needed', 'other_domain']).optional(),
    }),
    trusted: true,
  },
});
