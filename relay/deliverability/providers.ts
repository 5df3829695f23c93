/**
 * What each delivery provider needs in a sending domain's DNS, from the
 * providers' public setup guides.
 */
export interface ProviderProfile {
  label: string;
  /** SPF include that authorises the provider's servers; null where the servers are the channel's own host. */
  spfInclude: string | null;
  /** DKIM selectors the provider signs with for a custom domain; empty when they are chosen per account. */
  dkimSelectors: string[];
  /** Who signs, and what the domain owner still controls. */
  summary: string;
}

export const PROVIDER_PROFILES: Record<'office365' | 'sparkpost' | 'sendgrid' | 'smtp' | 'gmail', ProviderProfile> = {
  office365: {
    label: 'Microsoft 365',
    spfInclude: 'spf.protection.outlook.com',
    dkimSelectors: ['selector1', 'selector2'],
    summary:
      "Microsoft 365 sends as the rep's own mailbox. Microsoft signs with DKIM once it is enabled for the domain; SPF and DMARC of the domain decide whether mail is trusted.",
  },
  sparkpost: {
    label: 'SparkPost',
    spfInclude: 'sparkpostmail.com',
    dkimSelectors: [],
    summary:
      "SparkPost sends for the whole domain. Its DKIM selector is shown in SparkPost's sending-domain settings; SPF and DMARC of the domain decide whether mail is trusted.",
  },
  sendgrid: {
    label: 'SendGrid',
    spfInclude: 'sendgrid.net',
    dkimSelectors: ['s1', 's2'],
    summary:
      "SendGrid sends for the whole domain. With domain authentication SendGrid signs with the s1/s2 selectors; SPF and DMARC of the domain decide whether mail is trusted.",
  },
  smtp: {
    label: 'your SMTP server',
    spfInclude: null,
    dkimSelectors: [],
    summary:
      "Mail leaves through your own SMTP server. SPF must list that server, it should sign with DKIM, and DMARC of the domain decides whether mail is trusted.",
  },
  gmail: {
    label: 'Google Workspace',
    spfInclude: '_spf.google.com',
    dkimSelectors: ['google'],
    summary:
      "Gmail sends as the rep's own account and Google signs the mail. For a company domain on Google Workspace, SPF, DKIM (selector google) and DMARC still decide whether mail is trusted.",
  },
};
