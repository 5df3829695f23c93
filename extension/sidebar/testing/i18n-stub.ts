import path from 'node:path';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { generateChromeMessages, parseMessagesFile } from '@wxt-dev/i18n/build';

/**
 * The fake browser has no i18n; unit tests get the real English (or Dutch)
 * messages, compiled the way the build compiles them, with Chrome's $1…$9
 * substitution.
 */
export async function installMessages(locale: 'en' | 'nl' = 'en'): Promise<void> {
  const parsed = await parseMessagesFile(path.resolve('extension/locales', `${locale}.yml`));
  const chrome = generateChromeMessages(parsed);
  fakeBrowser.i18n.getMessage = ((key: string, subs?: string | string[]) => {
    const message = chrome[key]?.message ?? '';
    const list = subs === undefined ? [] : Array.isArray(subs) ? subs : [subs];
    return message.replace(/\$(\d)/g, (_m, n: string) => list[Number(n) - 1] ?? '').replace(/\$\$/g, '$');
  }) as typeof fakeBrowser.i18n.getMessage;
  fakeBrowser.i18n.getUILanguage = () => locale;
}
