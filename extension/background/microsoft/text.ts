import { i18n, type GeneratedI18nStructure } from '#i18n';

/** Every sentence the Office 365 sign-in hands to the UI, from the `office365:` keys in extension/locales/*.yml. */
export type Office365TextKey = Extract<keyof GeneratedI18nStructure, `office365.${string}`>;

export function say(key: Office365TextKey, substitutions: (string | number)[] = []): string {
  // i18n.t's overloads are keyed on the exact message; the wrapper keeps call sites short.
  const t = i18n.t as unknown as (k: string, subs?: string[]) => string;
  return t(key, substitutions.map(String));
}
