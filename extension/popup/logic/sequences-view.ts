import { Contact, type SequenceInput, type SequenceStep } from '../../../shared/messages/sequences';
import { isTimeZone } from '../../../shared/send-window';

/** The rep's own zone, as the browser knows it. */
export function localTimeZone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return isTimeZone(zone) ? zone : 'UTC';
}

/** Every zone the browser knows, the rep's first. */
export function timeZones(current = localTimeZone()): string[] {
  let all: string[] = [];
  try {
    all = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  } catch {
    // Older engines: the rep's zone and UTC only.
  }
  return [...new Set([current, 'UTC', ...all])];
}

export function newStep(templateId: string, first: boolean): SequenceStep {
  return { templateId, delayDays: first ? 0 : 3, businessDays: !first, sameThread: !first };
}

/** A sensible new sequence: intro now, a follow-up three business days later, weekdays 09:00–17:00 in the rep's zone. */
export function defaultSequence(templateIds: string[], channelId: string, zone = localTimeZone()): SequenceInput {
  const [first, second] = templateIds;
  return {
    name: '',
    channelId,
    steps: first ? [newStep(first, true), ...(second ? [newStep(second, false)] : [])] : [],
    window: { timeZone: zone, start: '09:00', end: '17:00', businessDaysOnly: true, holidays: [], contactTimeZone: true },
    unsubscribeLink: true,
  };
}

/** Dates typed one per line or separated by commas; each must be a real YYYY-MM-DD. */
export function parseHolidays(text: string): { dates: string[]; invalid: string[] } {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const dates: string[] = [];
  const invalid: string[] = [];
  for (const p of parts) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(p);
    const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
    if (d && d.toISOString().slice(0, 10) === p) dates.push(p);
    else invalid.push(p);
  }
  return { dates: [...new Set(dates)].sort(), invalid };
}

/**
 * Contacts pasted one per line: "Jane Doe <jane@acme.com>", "jane@acme.com",
 * or CSV-ish "jane@acme.com, Jane Doe". Lines that are not an address are
 * reported back as they were typed.
 */
export function parseContacts(text: string): { contacts: Contact[]; invalid: string[] } {
  const contacts: Contact[] = [];
  const invalid: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    let name: string | undefined;
    let address: string | undefined;
    const angled = /^(.*?)<([^<>\s]+)>\s*$/.exec(line);
    if (angled) {
      name = angled[1]!.replace(/^["'\s]+|["'\s,]+$/g, '');
      address = angled[2];
    } else {
      const [first, ...rest] = line.split(/[,;\t]/).map((s) => s.trim());
      address = first;
      name = rest.join(' ').replace(/^["']|["']$/g, '').trim();
    }
    const parsed = Contact.safeParse({ address, ...(name ? { name } : {}) });
    if (parsed.success) contacts.push(parsed.data);
    else invalid.push(line);
  }
  return { contacts, invalid };
}

export function percent(part: number, whole: number): number {
  return whole > 0 ? Math.min(100, Math.round((part / whole) * 100)) : 0;
}
