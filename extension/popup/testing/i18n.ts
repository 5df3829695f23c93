import path from 'node:path';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { generateChromeMessages, parseMessagesFile } from '@wxt-dev/i18n/build';

/**
 * Unit tests run against the real shipped messages: the locale file is
 * compiled the way the build compiles it, and looked up with Chrome's $1…$9
 * substitution. A missing key comes back empty, which the tests notice.
 */
export async function useLocale(locale: 'en' | 'nl' = 'en'): Promise<void> {
  const chrome = generateChromeMessages(await parseMessagesFile(path.resolve('extension/locales', `${locale}.yml`)));
  fakeBrowser.i18n.getMessage = ((key: string, subs?: string | string[]) => {
    const message = chrome[key]?.message ?? '';
    const list = subs === undefined ? [] : Array.isArray(subs) ? subs : [subs];
    return message.replace(/\$(\d)/g, (_m, n: string) => list[Number(n) - 1] ?? '').replace(/\$\$/g, '$');
  }) as typeof fakeBrowser.i18n.getMessage;
  fakeBrowser.i18n.getUILanguage = () => locale;
}
