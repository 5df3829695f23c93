import { z } from 'zod';
import { Template, TemplateInput } from '../../../shared/messages/templates';
import { BUILT_IN_FIELDS, fieldsUsed, renderTemplate, TemplateSyntaxError, valuesFor, type MergeValues } from '../../../shared/templates';
import { textToHtml } from '../../background/sequences/render';

/** What the editor says about a template's merge fields. */
export interface FieldReport {
  builtIn: string[];
  /** Fields that are not built in: the rep fills them in at send or enrolment. A likely typo names its fix. */
  custom: { name: string; suggestion?: string }[];
  syntaxError?: string;
}

/** Edit distance, for "did you mean first_name?". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

export function suggestField(name: string): string | undefined {
  const lower = name.toLowerCase();
  let best: { field: string; d: number } | undefined;
  for (const field of BUILT_IN_FIELDS) {
    const d = distance(lower, field);
    if (d > 0 && d <= 2 && (!best || d < best.d)) best = { field, d };
  }
  if (!best && (BUILT_IN_FIELDS as readonly string[]).includes(lower) && lower !== name) return lower;
  return best?.field;
}

export function analyseTemplate(subject: string, body: string): FieldReport {
  let used: string[];
  try {
    used = fieldsUsed(subject, body);
  } catch (error) {
    if (error instanceof TemplateSyntaxError) return { builtIn: [], custom: [], syntaxError: error.message };
    throw error;
  }
  const builtIn = used.filter((f) => (BUILT_IN_FIELDS as readonly string[]).includes(f));
  const custom = used
    .filter((f) => !(BUILT_IN_FIELDS as readonly string[]).includes(f))
    .map((name) => {
      const suggestion = suggestField(name);
      return suggestion ? { name, suggestion } : { name };
    });
  return { builtIn, custom, syntaxError: undefined };
}

export interface Preview {
  subject: string;
  /** HTML built from escaped text; the caller still sanitises it before it touches the DOM. */
  html: string;
  error?: string;
}

/** The template written for a sample recipient, as the email would read. */
export function previewTemplate(t: { subject: string; body: string }, sample: { name?: string; address: string }, custom: MergeValues = {}): Preview {
  try {
    const values = valuesFor({ address: sample.address || 'jane.doe@acme-corp.com', ...(sample.name ? { name: sample.name } : {}) }, custom);
    return { subject: renderTemplate(t.subject, values).replace(/[\r\n]+/g, ' '), html: textToHtml(renderTemplate(t.body, values)) };
  } catch (error) {
    return { subject: t.subject, html: textToHtml(t.body), error: error instanceof Error ? error.message : String(error) };
  }
}

/** "Intro (copy)", then "Intro (copy 2)"… never a name already taken. */
export function copyName(name: string, taken: readonly string[], word: string): string {
  const base = name.replace(new RegExp(`\\s*\\(${word}(?: \\d+)?\\)$`), '');
  for (let n = 1; ; n++) {
    const candidate = `${base} (${word}${n > 1 ? ` ${n}` : ''})`.slice(0, 120);
    if (!taken.includes(candidate)) return candidate;
  }
}

const ExportFile = z
  .object({
    sendway: z.literal('templates'),
    version: z.literal(1),
    templates: z.array(z.unknown()).max(1000),
  })
  .strict();

export function exportTemplates(templates: readonly Template[]): string {
  return `${JSON.stringify({ sendway: 'templates', version: 1, templates }, null, 2)}\n`;
}

export type ImportResult = { ok: true; templates: TemplateInput[] } | { ok: false; error: string };

/**
 * Reads an exported file (or a bare array of templates). Every template is
 * checked with the same schema the background uses; the first problem is
 * reported with where it is ("templates.2.subject: …"), and nothing is
 * imported then.
 */
export function parseTemplateImport(text: string): ImportResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'not a JSON file' };
  }
  let list: unknown[];
  if (Array.isArray(json)) list = json;
  else {
    const file = ExportFile.safeParse(json);
    if (!file.success) {
      const issue = file.error.issues[0]!;
      return { ok: false, error: `${issue.path.join('.') || 'file'}: ${issue.message}` };
    }
    list = file.data.templates;
  }
  const out: TemplateInput[] = [];
  for (const [i, raw] of list.entries()) {
    const { updatedAt: _updatedAt, ...rest } = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const parsed = TemplateInput.safeParse(rest);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
      return { ok: false, error: `templates.${i}${path.length ? `.${path.join('.')}` : ''}: ${issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message}` };
    }
    out.push(parsed.data);
  }
  return { ok: true, templates: out };
}

export { Template };
