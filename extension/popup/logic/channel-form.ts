import { i18n } from '#i18n';
import { describeZodError } from '../../../shared/messages/define';
import { CreateChannelRequest, type Security } from '../../../shared/schemas/relay-api';
import { EmailAddress } from '../../../shared/schemas/mail';

/** Providers whose channels live on the relay. */
export type RelayKind = 'office365' | 'sparkpost' | 'sendgrid' | 'smtp';

export interface ChannelForm {
  provider: RelayKind;
  name: string;
  /** Office 365: the mailbox. */
  email: string;
  /** Office 365 and custom SMTP password, or the SparkPost/SendGrid API key. */
  password: string;
  /** SparkPost has a separate EU endpoint. */
  region: 'us' | 'eu';
  /** Share with everyone in `domains` (a domain channel) instead of only me. */
  share: boolean;
  domains: string;
  host: string;
  port: string;
  security: Security;
  username: string;
}

export type FormField = keyof ChannelForm;
export type FormErrors = Partial<Record<FormField, string>>;

const SPARKPOST_EU_HOST = 'smtp.eu.sparkpostmail.com';

/** A fresh form, pre-filled with what we know about the rep. */
export function initialForm(provider: RelayKind, repEmail?: string): ChannelForm {
  const domain = repEmail?.split('@')[1] ?? '';
  return {
    provider,
    name: '',
    email: provider === 'office365' ? (repEmail ?? '') : '',
    password: '',
    region: 'us',
    share: provider === 'sparkpost' || provider === 'sendgrid',
    domains: domain,
    host: '',
    port: '587',
    security: 'starttls',
    username: provider === 'smtp' ? (repEmail ?? '') : '',
  };
}

/** Picking a security mode moves the port along when it still holds the other mode's usual port. */
export function withSecurity(form: ChannelForm, security: Security): ChannelForm {
  const usual: Record<Security, string> = { starttls: '587', tls: '465', none: '25' };
  const port = Object.values(usual).includes(form.port) || form.port === '' ? usual[security] : form.port;
  return { ...form, security, port };
}

export function parseDomains(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,;]+/)
        .map((d) => d.trim().toLowerCase().replace(/^@/, ''))
        .filter(Boolean),
    ),
  ];
}

const HOST = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$|^\[?[0-9A-Fa-f:.]+\]?$/;

export type BuildResult = { ok: true; request: CreateChannelRequest } | { ok: false; errors: FormErrors };

/**
 * Turns what the rep typed into the relay's create request, checking each
 * field with a message that names it. The provider presets on the relay fill
 * host, port, security and username where the form leaves them out.
 */
export function buildCreateRequest(form: ChannelForm): BuildResult {
  const errors: FormErrors = {};
  const required = (field: FormField, text: string) => {
    if (!form[field] || String(form[field]).trim() === '') errors[field] = i18n.t('popup.form.required', [text]);
  };

  let body: Record<string, unknown>;
  const shareable = form.provider !== 'office365';
  const domains = shareable && form.share ? parseDomains(form.domains) : [];

  switch (form.provider) {
    case 'office365': {
      required('email', i18n.t('popup.office365.email'));
      if (!errors.email && !EmailAddress.safeParse(form.email.trim()).success) errors.email = i18n.t('popup.form.invalidEmail');
      required('password', i18n.t('popup.office365.password'));
      const email = form.email.trim().toLowerCase();
      body = { name: `Office 365 (${email})`, provider: 'office365', username: email, password: form.password, scope: 'personal' };
      break;
    }
    case 'sparkpost':
    case 'sendgrid': {
      required('password', i18n.t('popup.shared.apiKey'));
      const fallback = i18n.t(form.provider === 'sparkpost' ? 'popup.kind.sparkpost' : 'popup.kind.sendgrid');
      body = {
        name: form.name.trim() || (domains.length ? `${fallback} (${domains.join(', ')})` : fallback),
        provider: form.provider,
        ...(form.provider === 'sparkpost' && form.region === 'eu' ? { host: SPARKPOST_EU_HOST } : {}),
        password: form.password.trim(),
        scope: form.share ? 'domain' : 'personal',
      };
      break;
    }
    case 'smtp': {
      required('host', i18n.t('popup.smtp.host'));
      const host = form.host.trim();
      if (!errors.host && !HOST.test(host)) errors.host = i18n.t('popup.form.invalidHost');
      const port = Number(form.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) errors.port = i18n.t('popup.form.invalidPort');
      required('username', i18n.t('popup.smtp.username'));
      required('password', i18n.t('popup.smtp.password'));
      body = {
        name: form.name.trim() || host,
        provider: 'smtp',
        host,
        port,
        security: form.security,
        username: form.username.trim(),
        password: form.password,
        scope: form.share ? 'domain' : 'personal',
      };
      break;
    }
  }

  if (shareable && form.share) {
    if (domains.length === 0) errors.domains = i18n.t('popup.form.domainsRequired');
    else body.domains = domains;
  }
  if (Object.keys(errors).length) return { ok: false, errors };

  const parsed = CreateChannelRequest.safeParse(body);
  if (!parsed.success) {
    const { message, field } = describeZodError(parsed.error);
    const formField = toFormField(field, form.provider);
    return { ok: false, errors: { [formField]: formField === 'domains' ? i18n.t('popup.form.invalidDomains', [message]) : message } };
  }
  return { ok: true, request: parsed.data };
}

/** Which input a relay/zod field name belongs to in this provider's form. */
export function toFormField(field: string | undefined, provider: RelayKind): FormField {
  const root = (field ?? '').split('.')[0];
  switch (root) {
    case 'domains':
      return 'domains';
    case 'host':
      return 'host';
    case 'port':
      return 'port';
    case 'security':
      return 'security';
    case 'username':
      return provider === 'office365' ? 'email' : 'username';
    case 'password':
      return 'password';
    case 'name':
      return provider === 'office365' ? 'email' : 'name';
    default:
      return provider === 'smtp' ? 'host' : 'password';
  }
}
