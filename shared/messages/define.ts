import { z } from 'zod';

/**
 * A message between an extension context (popup, options page, content
 * script) and the background. The zod schemas are the single source of truth:
 * the background validates every request before a handler sees it, and the
 * client validates every response before the UI sees it.
 *
 * `trusted: true` marks messages only extension pages may send (they touch
 * settings or secrets); the background refuses them from content scripts,
 * which run inside webmail pages we do not control.
 */
export interface MessageDef<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  request: Req;
  response: Res;
  trusted?: boolean;
}

export function defineMessages<const M extends Record<string, MessageDef>>(defs: M): M {
  return defs;
}

export type RequestOf<D extends MessageDef> = z.input<D['request']>;
export type ParsedRequestOf<D extends MessageDef> = z.output<D['request']>;
export type ResponseOf<D extends MessageDef> = z.output<D['response']>;

/** What crosses runtime.sendMessage: a type tag and its payload. */
export const Envelope = z.object({ type: z.string().min(1).max(100), payload: z.unknown() }).strict();
export type Envelope = z.infer<typeof Envelope>;

export const ErrorBody = z.object({
  code: z.string(),
  message: z.string(),
  field: z.string().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const Reply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({ ok: z.literal(false), error: ErrorBody }),
]);
export type Reply = z.infer<typeof Reply>;

/** An error the UI can show as is: its message is already meant for a rep. */
export class SendwayError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'SendwayError';
  }
  toBody(): ErrorBody {
    return { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) };
  }
}

/** Names the first failing field of a zod error, the way every boundary reports it. */
export function describeZodError(error: z.ZodError): ErrorBody {
  const issue = error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : undefined;
  const message = issue ? (field ? `${field}: ${issue.message}` : issue.message) : 'Invalid input';
  return { code: 'invalid_input', message, ...(field ? { field } : {}) };
}
