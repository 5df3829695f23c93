import { z } from 'zod';
import { EmailAddress } from './mail';

/**
 * The relay's unsubscribe and suppression API (RFC 8058 one-click links for
 * sequence emails, and the suppression list every send is checked against).
 * A suppression is scoped to the sending domain: "jane@acme.com asked mail
 * from example.com to stop".
 */

export const SuppressionSource = z.enum(['one_click', 'link', 'admin']);
export type SuppressionSource = z.infer<typeof SuppressionSource>;

/** POST /v1/unsubscribe/links: signed links for these recipients of mail from `from`. */
export const UnsubscribeLinksRequest = z
  .object({
    from: EmailAddress,
    addresses: z.array(EmailAddress).min(1).max(1000),
  })
  .strict();
export type UnsubscribeLinksRequest = z.infer<typeof UnsubscribeLinksRequest>;

export const UnsubscribeLinksResponse = z.object({
  links: z.array(z.object({ address: z.string(), url: z.string() })),
});
export type UnsubscribeLinksResponse = z.infer<typeof UnsubscribeLinksResponse>;

/** POST /v1/suppressions/check: which of these addresses may no longer receive mail from `from`. */
export const SuppressionCheckRequest = UnsubscribeLinksRequest;
export type SuppressionCheckRequest = z.infer<typeof SuppressionCheckRequest>;

export const Suppression = z.object({
  address: z.string(),
  domain: z.string(),
  source: SuppressionSource,
  createdAt: z.iso.datetime(),
});
export type Suppression = z.infer<typeof Suppression>;

export const SuppressionCheckResponse = z.object({ suppressed: z.array(Suppression) });
export type SuppressionCheckResponse = z.infer<typeof SuppressionCheckResponse>;

export const SuppressionList = z.object({ suppressions: z.array(Suppression) });

/** POST /v1/suppressions (admin): add addresses by hand; DELETE /v1/suppressions (admin): allow them again. */
export const SuppressionChangeRequest = z
  .object({
    domain: z
      .string()
      .min(1)
      .max(253)
      .regex(/^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'must be a domain like example.com')
      .transform((d) => d.toLowerCase()),
    addresses: z.array(EmailAddress).min(1).max(1000),
  })
  .strict();
export type SuppressionChangeRequest = z.infer<typeof SuppressionChangeRequest>;
