import crypto from 'node:crypto';

/**
 * The small HTML pages a recipient sees after clicking an unsubscribe link:
 * a confirmation (a GET never unsubscribes by itself — link scanners in mail
 * gateways open every link), the result, and "link not valid". No scripts;
 * the only style is one inline block, allowed by its hash in the page's CSP.
 * English or Dutch by the browser's Accept-Language.
 */

export type PageLang = 'en' | 'nl';

const TEXT = {
  en: {
    title: 'Unsubscribe',
    question: (address: string, domain: string) => `Stop emails from ${domain} to ${address}?`,
    explain: 'You will not receive further emails of this kind from senders at this domain.',
    button: 'Unsubscribe',
    doneTitle: 'You are unsubscribed',
    done: (address: string, domain: string) => `${address} will no longer receive these emails from ${domain}.`,
    invalidTitle: 'This link is not valid',
    invalid: 'The unsubscribe link is incomplete or was changed. Use the link from the email itself, or reply to the sender and ask to be removed.',
  },
  nl: {
    title: 'Afmelden',
    question: (address: string, domain: string) => `Geen e-mails meer van ${domain} naar ${address}?`,
    explain: 'Je ontvangt dan geen e-mails van deze soort meer van afzenders op dit domein.',
    button: 'Afmelden',
    doneTitle: 'Je bent afgemeld',
    done: (address: string, domain: string) => `${address} ontvangt deze e-mails van ${domain} niet meer.`,
    invalidTitle: 'Deze link is niet geldig',
    invalid: 'De afmeldlink is onvolledig of gewijzigd. Gebruik de link uit de e-mail zelf, of antwoord de afzender met het verzoek je af te melden.',
  },
} as const;

const STYLE = [
  'body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f5f7fa;color:#1b1f24}',
  'main{max-width:480px;margin:12vh auto;background:#fff;border:1px solid #dde2e8;border-radius:12px;padding:28px}',
  'h1{font-size:20px;margin:0 0 12px}p{margin:0 0 16px}',
  'button{font:inherit;background:#2457e6;color:#fff;border:0;border-radius:8px;padding:10px 18px;cursor:pointer}',
  'button:focus-visible{outline:3px solid #9db6ff}',
].join('');

/** The Content-Security-Policy for these pages: nothing but this style and a form posting back here. */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${crypto.createHash('sha256').update(STYLE).digest('base64')}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);

export function pickLang(acceptLanguage: string | undefined): PageLang {
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0]!.trim().toLowerCase();
    if (tag.startsWith('nl')) return 'nl';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}

function page(lang: PageLang, title: string, body: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${esc(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export function confirmPage(lang: PageLang, address: string, domain: string, action: string): string {
  const t = TEXT[lang];
  return page(
    lang,
    t.title,
    `<h1>${esc(t.question(address, domain))}</h1><p>${esc(t.explain)}</p>` +
      `<form method="post" action="${esc(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${esc(t.button)}</button></form>`,
  );
}

export function donePage(lang: PageLang, address: string, domain: string): string {
  const t = TEXT[lang];
  return page(lang, t.doneTitle, `<h1>${esc(t.doneTitle)}</h1><p>${esc(t.done(address, domain))}</p>`);
}

export function invalidPage(lang: PageLang): string {
  const t = TEXT[lang];
  return page(lang, t.invalidTitle, `<h1>${esc(t.invalidTitle)}</h1><p>${esc(t.invalid)}</p>`);
}
