import { i18n } from '#i18n';

/** Transport-level relay failures, phrased for a rep in the browser's language. */
export type RelayErrorKey =
  | 'unreachable'
  | 'timeout'
  | 'unauthorized'
  | 'notARelay'
  | 'badReply'
  | 'serverError'
  | 'httpError'
  | 'notConnected'
  | 'noPermission'
  | 'retryUnsupported';

/** `subs[0]` is always the relay's host; `subs[1]` the HTTP status where one applies. */
export function relayErrorText(key: RelayErrorKey, subs: string[]): string {
  const host = subs[0] ?? '';
  const status = subs[1] ?? '';
  switch (key) {
    case 'unreachable':
      return i18n.t('popup.errors.unreachable', [host]);
    case 'timeout':
      return i18n.t('popup.errors.timeout', [host]);
    case 'unauthorized':
      return i18n.t('popup.errors.unauthorized', [host]);
    case 'notARelay':
      return i18n.t('popup.errors.notARelay', [host]);
    case 'badReply':
      return i18n.t('popup.errors.badReply', [host]);
    case 'serverError':
      return i18n.t('popup.errors.serverError', [host, status]);
    case 'httpError':
      return i18n.t('popup.errors.httpError', [host, status]);
    case 'notConnected':
      return i18n.t('popup.errors.notConnected');
    case 'noPermission':
      return i18n.t('popup.errors.noPermission', [host]);
    case 'retryUnsupported':
      return i18n.t('popup.errors.retryUnsupported', [host]);
  }
}
