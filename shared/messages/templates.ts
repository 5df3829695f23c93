import { z } from 'zod';
import { defineMessages } from './define';
import { HeaderText } from '../schemas/mail';

/**
 * An email template: a subject and a plain-text body (one paragraph per
 * line) with Liquid merge fields such as {{ first_name | default: "there" }}.
 * Content scripts may list templates; only extension pages change them.
 */
export const Template = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, - or _'),
    name: z.string().trim().min(1, 'must not be empty').max(120),
    subject: HeaderText.max(998),
    body: z.string().max(100_000),
    updatedAt: z.iso.datetime(),
  })
  .strict();
export type Template = z.infer<typeof Template>;

/** What an editor hands over: no id for a new template, and the background stamps updatedAt. */
export const TemplateInput = Template.omit({ updatedAt: true }).extend({ id: Template.shape.id.optional() }).strict();
export type TemplateInput = z.infer<typeof TemplateInput>;

export const templateMessages = defineMessages({
  'templates.list': {
    request: z.object({}).strict(),
    response: z.object({ templates: z.array(Template) }),
  },
  'templates.save': {
    request: TemplateInput,
    response: Template,
    trusted: true,
  },
  'templates.delete': {
    request: z.object({ id: Template.shape.id }).strict(),
    response: z.object({ deleted: z.boolean() }),
    trusted: true,
  },
});
