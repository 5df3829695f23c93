import { i18n, type GeneratedI18nStructure } from '#i18n';

/**
 * Every sentence the Gmail channel hands to the UI (status lines, send
 * errors) is produced here, in the browser's language, from the `gmail:` keys
 * in extension/locales/*.yml.
 */
export type GmailTextKey = Extract<keyof GeneratedI18nStructure, `gmail.${string}`>;

export function say(key: GmailTextKey, substitutions: (string | number)[] = []): string {
  // i18n.t's overloads are keyed on the exact message; the wrapper keeps call sites short.
  const t = i18n.t as unknown as (k: string, subs?: string[]) => string;
  return t(key, substitutions.map(String));
}

/** A time a rep reads: "14:32" today, else date and time, in the browser's locale. */
export function formatWhen(at: number, now: number): string {
  const date = new Date(at);
  const sameDay = new Date(now).toDateString() === date.toDateString();
  return sameDay
    ? date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}
