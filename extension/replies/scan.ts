import type { Sighting } from '../../shared/messages/sequences';
import { GMAIL_REPLIES, OUTLOOK_REPLIES } from './selectors';

/**
 * Reads who wrote what, and when, from the webmail page: message-list rows and
 * the messages of an opened conversation. Pure DOM reading (no network), so
 * it is tested against the fixtures in jsdom. What it returns are sightings;
 * the background decides which are replies to a sequence.
 */

/** Earliest and latest believable arrival times: anything else was misread. */
const EARLIEST = Date.UTC(2004, 0, 1);
const ADDRESS = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;

const clean = (a: string | null | undefined): string | null => {
  const v = (a ?? '').trim().toLowerCase();
  return ADDRESS.test(v) && v.length <= 254 && /^[\x21-\x7e]+$/.test(v) ? v : null;
};

const unique = (list: (string | null)[]): string[] => [...new Set(list.filter((a): a is string => a !== null))];

function believable(t: number, now: number): number | undefined {
  return Number.isFinite(t) && t >= EARLIEST && t <= now + 86_400_000 ? t : undefined;
}

/**
 * Gmail's hexadecimal message ids begin with the message's arrival time: the
 * id shifted right by 20 bits is milliseconds since 1970.
 */
export function timeFromGmailId(id: string | null | undefined, now: number): number | undefined {
  if (!id || !/^[0-9a-f]{12,16}$/i.test(id)) return undefined;
  return believable(Number(BigInt(`0x${id}`) >> 20n), now);
}

/** A date as a webmail writes it in a title ("Tue, Nov 26, 2030, 3:14 PM", "Tue 11/26/2030 3:14 PM"). */
export function parseShownDate(text: string | null | undefined, now: number): number | undefined {
  if (!text) return undefined;
  const t = text.replace(/\u202f|\u00a0/g, ' ').trim();
  const direct = Date.parse(t);
  if (Number.isFinite(direct)) return believable(direct, now);
  // Without the weekday word some engines read it.
  const bare = Date.parse(t.replace(/^[A-Za-z]{2,}\.?,?\s+/, ''));
  return Number.isFinite(bare) ? believable(bare, now) : undefined;
}

function firstDate(root: Element, selector: string, now: number): number | undefined {
  for (const el of root.querySelectorAll(selector)) {
    const t = parseShownDate(el.getAttribute('title') ?? el.textContent, now);
    if (t !== undefined) return t;
  }
  return undefined;
}

export function scanGmail(doc: Document, hash: string, now: number): Sighting[] {
  const out: Sighting[] = [];
  if (!GMAIL_REPLIES.ownFolders.test(hash)) {
    for (const row of doc.querySelectorAll(GMAIL_REPLIES.row)) {
      const from = unique([...row.querySelectorAll(GMAIL_REPLIES.rowSenders)].map((el) => clean(el.getAttribute('email'))));
      if (!from.length) continue;
      const at = timeFromGmailId(row.querySelector(GMAIL_REPLIES.rowLastMessage)?.getAttribute('data-legacy-last-message-id'), now) ?? firstDate(row, GMAIL_REPLIES.rowDate, now);
      out.push({ webmail: 'gmail', kind: 'row', from: from.slice(0, 50), ...(at !== undefined ? { at } : {}), unread: row.classList.contains(GMAIL_REPLIES.unreadClass) });
    }
  }
  for (const message of doc.querySelectorAll(GMAIL_REPLIES.message)) {
    const from = clean(message.querySelector(GMAIL_REPLIES.messageSender)?.getAttribute('email'));
    if (!from) continue;
    const others = unique([...message.querySelectorAll(GMAIL_REPLIES.messagePeople)].map((el) => clean(el.getAttribute('email')))).filter((a) => a !== from);
    const at = timeFromGmailId(message.getAttribute('data-legacy-message-id'), now) ?? firstDate(message, GMAIL_REPLIES.messageDate, now);
    out.push({ webmail: 'gmail', kind: 'thread', from: [from], ...(others.length ? { others: others.slice(0, 100) } : {}), ...(at !== undefined ? { at } : {}) });
  }
  return out;
}

export function scanOutlook(doc: Document, path: string, now: number): Sighting[] {
  const out: Sighting[] = [];
  if (!OUTLOOK_REPLIES.ownFolders.test(path)) {
    for (const row of doc.querySelectorAll(OUTLOOK_REPLIES.row)) {
      const from = unique([...row.querySelectorAll(OUTLOOK_REPLIES.person)].map((el) => clean(el.getAttribute('title'))));
      if (!from.length) continue;
      const label = row.getAttribute('aria-label') ?? '';
      const unread = OUTLOOK_REPLIES.unreadPrefixes.some((p) => label.startsWith(p));
      const at = firstDate(row, OUTLOOK_REPLIES.dated, now);
      out.push({ webmail: 'outlook', kind: 'row', from: from.slice(0, 50), ...(at !== undefined ? { at } : {}), unread });
    }
  }
  for (const message of doc.querySelectorAll(OUTLOOK_REPLIES.message)) {
    const from = clean(message.querySelector(OUTLOOK_REPLIES.messageSender)?.getAttribute('title'));
    if (!from) continue;
    const others = unique([...message.querySelectorAll(OUTLOOK_REPLIES.messagePeople)].map((el) => clean(el.getAttribute('title')))).filter((a) => a !== from);
    const at = firstDate(message, OUTLOOK_REPLIES.messageDate, now);
    out.push({ webmail: 'outlook', kind: 'thread', from: [from], ...(others.length ? { others: others.slice(0, 100) } : {}), ...(at !== undefined ? { at } : {}) });
  }
  return out;
}

/** Only what concerns watched people: a sender among the addresses or at one of the domains. */
export function concerning(sightings: readonly Sighting[], watch: { addresses: ReadonlySet<string>; domains: ReadonlySet<string> }): Sighting[] {
  const domainOf = (a: string) => a.slice(a.lastIndexOf('@') + 1);
  return sightings.filter((s) => s.from.some((a) => watch.addresses.has(a) || watch.domains.has(domainOf(a))));
}
