import { Liquid } from 'liquidjs';

/**
 * Merge fields for one-off emails and sequence steps, rendered with LiquidJS
 * (no eval, so it runs under MV3's CSP in content scripts and the background).
 *
 * Built-in fields come from the recipient: first_name, last_name, email and
 * company (derived from the address's domain). Anything else a template uses
 * is a custom field the rep fills in; a field that is neither is "unknown" and
 * is reported before sending so nobody receives "Hi ,".
 */
export const BUILT_IN_FIELDS = ['first_name', 'last_name', 'email', 'company'] as const;
export type BuiltInField = (typeof BUILT_IN_FIELDS)[number];
export type MergeValues = Record<string, string>;

export interface MergeRecipient {
  name?: string;
  address: string;
}

// Templates come from reps, and compose bodies can quote other people's mail:
// no file or network lookups ({% include %} resolves against an empty map),
// and hard caps on parse size, render time and memory.
const LIMITS = { parseLimit: 2_000_000, renderLimit: 2_000, memoryLimit: 20_000_000 };
const textEngine = new Liquid({ templates: {}, strictFilters: true, ownPropertyOnly: true, ...LIMITS });
const htmlEngine = new Liquid({ templates: {}, strictFilters: true, ownPropertyOnly: true, outputEscape: 'escape', ...LIMITS });

/** Webmail addresses say nothing about the company, so company stays empty (and its fallback applies). */
const PERSONAL_DOMAINS = new Set([
  'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'yahoo.com', 'ymail.com',
  'icloud.com', 'me.com', 'mac.com', 'aol.com', 'proton.me', 'protonmail.com', 'gmx.com', 'gmx.net', 'gmx.de',
  'web.de', 'mail.com', 'zoho.com', 'hey.com', 'fastmail.com', 'hotmail.nl', 'live.nl', 'ziggo.nl', 'kpnmail.nl',
  'planet.nl', 'home.nl', 'xs4all.nl', 'telenet.be', 'skynet.be', 'outlook.be', 'yahoo.co.uk', 'hotmail.co.uk',
]);

/** Second-level labels under which companies register (acme.co.uk, acme.com.au). */
const SECOND_LEVEL = new Set(['co', 'com', 'org', 'net', 'ac', 'gov', 'edu', 'ltd', 'plc', 'or', 'ne', 'gv']);

const capitalise = (word: string) => (word ? word[0]!.toLocaleUpperCase() + word.slice(1) : word);

/** acme-corp.com → "Acme Corp", mail.globex.co.uk → "Globex"; personal mail domains → "". */
export function companyFromDomain(domain: string): string {
  const host = domain.trim().toLowerCase().replace(/\.$/, '');
  if (!host || PERSONAL_DOMAINS.has(host)) return '';
  const labels = host.split('.').filter(Boolean);
  if (labels.length < 2) return capitalise(labels[0] ?? '');
  labels.pop(); // top-level domain
  if (labels.length >= 2 && SECOND_LEVEL.has(labels[labels.length - 1]!)) labels.pop();
  const name = labels[labels.length - 1] ?? '';
  return name.split(/[-_]+/).filter(Boolean).map(capitalise).join(' ');
}

/**
 * Splits a display name into first and last name ("Jane Doe", "Doe, Jane",
 * "Jane van der Berg"). Without a display name, an address like
 * jane.doe@… gives "Jane" / "Doe"; a single-word local part (info@, sales@)
 * gives nothing, so the template's fallback is used instead of "Info".
 */
export function nameParts(name: string | undefined, address: string): { first: string; last: string } {
  const clean = (name ?? '').replace(/["']/g, '').replace(/\s+/g, ' ').trim();
  if (clean && !clean.includes('@')) {
    if (clean.includes(',')) {
      const [last, first] = clean.split(',', 2).map((s) => s.trim());
      return { first: first ?? '', last: last ?? '' };
    }
    const [first, ...rest] = clean.split(' ');
    return { first: first ?? '', last: rest.join(' ') };
  }
  const local = address.split('@')[0] ?? '';
  const parts = local.split(/[._]/).filter((p) => /^[a-z]{2,}$/i.test(p));
  if (parts.length >= 2 && parts.length === local.split(/[._]/).length) {
    return { first: capitalise(parts[0]!.toLowerCase()), last: parts.slice(1).map((p) => capitalise(p.toLowerCase())).join(' ') };
  }
  return { first: '', last: '' };
}

/** The built-in merge values for one recipient. */
export function fieldsFor(recipient: MergeRecipient): Record<BuiltInField, string> {
  const address = recipient.address.trim().toLowerCase();
  const { first, last } = nameParts(recipient.name, address);
  return {
    first_name: first,
    last_name: last,
    email: address,
    company: companyFromDomain(address.split('@')[1] ?? ''),
  };
}

// Rich-text editors put non-breaking spaces where the rep typed spaces; inside
// {{ … }} and {% … %} Liquid would not parse them.
function normaliseTags(source: string): string {
  return source.replace(/(\{\{|\{%)([\s\S]*?)(\}\}|%\})/g, (_m, open: string, inner: string, close: string) =>
    open + inner.replace(/&nbsp;|\u00a0/g, ' ') + close,
  );
}

export class TemplateSyntaxError extends Error {
  override name = 'TemplateSyntaxError';
}

/** True when the text contains Liquid markup at all (cheap check before parsing). */
export function hasMergeMarkup(text: string): boolean {
  return /\{\{|\{%/.test(text);
}

/**
 * Every top-level field the texts use, in order of first use. Throws
 * TemplateSyntaxError (with Liquid's message) when a text does not parse.
 */
export function fieldsUsed(...texts: string[]): string[] {
  const seen = new Set<string>();
  for (const text of texts) {
    if (!hasMergeMarkup(text)) continue;
    try {
      for (const name of textEngine.globalVariablesSync(normaliseTags(text))) seen.add(name);
    } catch (error) {
      throw new TemplateSyntaxError(error instanceof Error ? error.message.split('\n')[0]! : String(error));
    }
  }
  return [...seen];
}

/** Fields that are neither built in nor given a value by the rep. */
export function unknownFields(used: readonly string[], custom: MergeValues = {}): string[] {
  return used.filter((f) => !(BUILT_IN_FIELDS as readonly string[]).includes(f) && !Object.hasOwn(custom, f));
}

/** Custom (non-built-in) fields among `used`. */
export function customFields(used: readonly string[]): string[] {
  return used.filter((f) => !(BUILT_IN_FIELDS as readonly string[]).includes(f));
}

/**
 * Renders a text with the given values. `html: true` escapes every value (for
 * an HTML body); plain text and subjects are rendered as is.
 */
export function renderTemplate(source: string, values: MergeValues, options: { html?: boolean } = {}): string {
  if (!hasMergeMarkup(source)) return source;
  const engine = options.html ? htmlEngine : textEngine;
  try {
    return String(engine.parseAndRenderSync(normaliseTags(source), { ...values }));
  } catch (error) {
    throw new TemplateSyntaxError(error instanceof Error ? error.message.split('\n')[0]! : String(error));
  }
}

/** Values for one recipient: built-ins first, the rep's custom values on top. */
export function valuesFor(recipient: MergeRecipient, custom: MergeValues = {}): MergeValues {
  return { ...fieldsFor(recipient), ...custom };
}
