import { i18n } from '#i18n';
import type { ChannelKind } from '../../../shared/schemas/policy';
import type { MessageStatus, VerifyCode, VerifyResult } from '../../../shared/schemas/relay-api';
import type { ChannelView } from '../../../shared/messages/channels';
import { pastParts, whenParts } from './limits-view';

/**
 * The locale for dates and numbers: the browser's UI language when the
 * translations are in that language, else the language of the translations
 * the browser picked, so a Dutch text never carries an American date.
 */
export function uiLocale(): string {
  const catalogue = i18n.t('popup.locale') || 'en';
  let ui = '';
  try {
    ui = browser.i18n.getUILanguage();
  } catch {
    // Not in an extension context.
  }
  return ui.toLowerCase().startsWith(catalogue) ? ui : catalogue;
}

export function kindName(kind: ChannelKind): string {
  switch (kind) {
    case 'gmail':
      return i18n.t('popup.kind.gmail');
    case 'office365':
      return i18n.t('popup.kind.office365');
    case 'sparkpost':
      return i18n.t('popup.kind.sparkpost');
    case 'sendgrid':
      return i18n.t('popup.kind.sendgrid');
    case 'smtp':
      return i18n.t('popup.kind.smtp');
  }
}

export function statusName(status: ChannelView['status']): string {
  switch (status) {
    case 'ready':
      return i18n.t('popup.channels.status.ready');
    case 'needs_reconnect':
      return i18n.t('popup.channels.status.needs_reconnect');
    case 'signed_out':
      return i18n.t('popup.channels.status.signed_out');
    case 'unreachable':
      return i18n.t('popup.channels.status.unreachable');
  }
}

export function messageStatusName(status: MessageStatus): string {
  switch (status) {
    case 'scheduled':
      return i18n.t('popup.outbox.status.scheduled');
    case 'queued':
      return i18n.t('popup.outbox.status.queued');
    case 'sending':
      return i18n.t('popup.outbox.status.sending');
    case 'retrying':
      return i18n.t('popup.outbox.status.retrying');
    case 'sent':
      return i18n.t('popup.outbox.status.sent');
    case 'failed':
      return i18n.t('popup.outbox.status.failed');
    case 'cancelled':
      return i18n.t('popup.outbox.status.cancelled');
  }
}

export function unitName(unit: 'messages' | 'recipients'): string {
  return unit === 'messages' ? i18n.t('popup.limits.unit.messages') : i18n.t('popup.limits.unit.recipients');
}

export function formatNumber(n: number, locale = uiLocale()): string {
  return new Intl.NumberFormat(locale).format(n);
}

/** "now", "at 14:32", "tomorrow at 09:00", "on Tue 4 Mar, 09:00". */
export function formatWhen(iso: string, now = Date.now(), locale = uiLocale()): string {
  const parts = whenParts(iso, now, locale);
  switch (parts.kind) {
    case 'now':
      return i18n.t('popup.time.now');
    case 'today':
      return i18n.t('popup.time.today', [parts.text]);
    case 'tomorrow':
      return i18n.t('popup.time.tomorrow', [parts.text]);
    case 'later':
      return i18n.t('popup.time.later', [parts.text]);
  }
}

/** A moment that has passed: "at 14:32", "yesterday at 09:00", or a date. */
export function formatPast(iso: string, now = Date.now(), locale = uiLocale()): string {
  const parts = pastParts(iso, now, locale);
  switch (parts.kind) {
    case 'today':
      return i18n.t('popup.time.today', [parts.text]);
    case 'yesterday':
      return i18n.t('popup.time.yesterday', [parts.text]);
    case 'earlier':
      return i18n.t('popup.time.later', [parts.text]);
  }
}

export interface VerifyText {
  ok: boolean;
  title: string;
  fix?: string;
  /** What the mail server itself said, for the admin the rep forwards it to. */
  detail?: string;
}

function codeText(code: VerifyCode, provider: ChannelKind | undefined): { title: string; fix: string } {
  switch (code) {
    case 'auth_failed':
      return provider === 'office365'
        ? { title: i18n.t('popup.test.codes.auth_failed_office365.title'), fix: i18n.t('popup.test.codes.auth_failed_office365.fix') }
        : { title: i18n.t('popup.test.codes.auth_failed.title'), fix: i18n.t('popup.test.codes.auth_failed.fix') };
    case 'smtp_auth_disabled':
      return { title: i18n.t('popup.test.codes.smtp_auth_disabled.title'), fix: i18n.t('popup.test.codes.smtp_auth_disabled.fix') };
    case 'basic_auth_unsupported':
      return {
        title: i18n.t('popup.test.codes.basic_auth_unsupported.title'),
        fix: i18n.t('popup.test.codes.basic_auth_unsupported.fix'),
      };
    case 'tls_failed':
      return { title: i18n.t('popup.test.codes.tls_failed.title'), fix: i18n.t('popup.test.codes.tls_failed.fix') };
    case 'connect_failed':
      return { title: i18n.t('popup.test.codes.connect_failed.title'), fix: i18n.t('popup.test.codes.connect_failed.fix') };
    case 'timeout':
      return { title: i18n.t('popup.test.codes.timeout.title'), fix: i18n.t('popup.test.codes.timeout.fix') };
    case 'egress_denied':
      return { title: i18n.t('popup.test.codes.egress_denied.title'), fix: i18n.t('popup.test.codes.egress_denied.fix') };
    case 'needs_reconnect':
      return { title: i18n.t('popup.test.codes.needs_reconnect.title'), fix: i18n.t('popup.test.codes.needs_reconnect.fix') };
  }
}

/** A connection test's outcome in words a rep understands, with what to do about it. */
export function verifyText(result: VerifyResult, provider?: ChannelKind, fresh = true): VerifyText {
  if (result.ok) return { ok: true, title: fresh ? i18n.t('popup.test.ok') : i18n.t('popup.test.okShort') };
  return { ok: false, ...codeText(result.code, provider), ...(result.message ? { detail: result.message } : {}) };
}
