import type { z } from 'zod';
import {
  Envelope,
  SendwayError,
  describeZodError,
  messages,
  type Messages,
  type MessageType,
  type Reply,
  type MessageDef,
} from '../../shared/messages';

export interface HandlerContext {
  /** True when the sender is one of our own pages (popup, options), not a content script. */
  trusted: boolean;
  /** The tab a content script runs in, when the sender is one. */
  tabId?: number;
  /** The page URL of the sender. */
  url?: string;
}

export type Handler<K extends MessageType> = (
  payload: z.output<Messages[K]['request']>,
  ctx: HandlerContext,
) => Promise<z.input<Messages[K]['response']>>;

export type Handlers = { [K in MessageType]: Handler<K> };
export type HandlersFor<K extends MessageType> = { [P in K]: Handler<P> };

export interface SenderInfo {
  id?: string;
  url?: string;
  tab?: { id?: number };
}

/**
 * Turns the handler map into one runtime.onMessage listener body: validates
 * the envelope and payload, refuses trusted-only messages from content
 * scripts, and never lets an exception escape as anything but an error reply.
 */
export function createRouter(handlers: Handlers, extensionOrigin: string, extensionId: string) {
  return async function route(raw: unknown, sender: SenderInfo): Promise<Reply> {
    try {
      if (sender.id !== extensionId) throw new SendwayError('forbidden', 'Message from another extension refused');
      const envelope = Envelope.safeParse(raw);
      if (!envelope.success) return { ok: false, error: describeZodError(envelope.error) };
      const type = envelope.data.type;
      if (!Object.hasOwn(messages, type)) {
        return { ok: false, error: { code: 'unknown_message', message: `Unknown message type: ${type}` } };
      }
      const def: MessageDef = messages[type as MessageType];
      const trusted = !!sender.url && sender.url.startsWith(extensionOrigin);
      if (def.trusted && !trusted) {
        return { ok: false, error: { code: 'forbidden', message: `${type} may only be sent from the extension's own pages` } };
      }
      const payload = def.request.safeParse(envelope.data.payload ?? {});
      if (!payload.success) return { ok: false, error: describeZodError(payload.error) };
      const handler = handlers[type as MessageType] as (p: unknown, c: HandlerContext) => Promise<unknown>;
      const data = await handler(payload.data, { trusted, tabId: sender.tab?.id, url: sender.url });
      return { ok: true, data: def.response.parse(data) };
    } catch (error) {
      if (error instanceof SendwayError) return { ok: false, error: error.toBody() };
      console.error('[sendway] handler failed', error);
      return { ok: false, error: { code: 'internal', message: error instanceof Error ? error.message : String(error) } };
    }
  };
}
