import { z } from 'zod';
import { DeliverabilityReport } from '../../../shared/schemas/deliverability';
import { SendwayError } from '../../../shared/messages/define';
import {
  ApiError,
  Channel,
  ChannelList,
  LimitsList,
  Me,
  MessageList,
  MessageStatus,
  MessageView,
  VerifyResult,
  type ChannelLimits,
  type CreateChannelRequest,
  type SendMessageRequest,
  type UpdateChannelRequest,
} from '../../../shared/schemas/relay-api';
import { MicrosoftOAuthInfo, type OAuthCodeRequest } from '../../../shared/schemas/microsoft-oauth';
import { relayErrorText, type RelayErrorKey } from './error-text';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface RelayClientOptions {
  /** The relay's base URL, e.g. https://sendway.example.com (a path prefix is kept). */
  baseUrl: string;
  token: string;
  /** Injected in tests (a Hono app's fetch, or a recording fetch). */
  fetch?: FetchLike;
  /** Per request; the verify endpoint gets longer (it dials the mail server). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const VERIFY_TIMEOUT_MS = 45_000;

/** The answer to POST /v1/messages: at least an id and a status. */
const Accepted = MessageView.pick({ id: true, status: true }).extend({
  messageId: MessageView.shape.messageId.optional(),
});
export type Accepted = z.infer<typeof Accepted>;

/** The relay may answer a create with the channel or with {channel}. */
const CreatedChannel = z.union([Channel, z.object({ channel: Channel }).transform((o) => o.channel)]);

/**
 * A typed client for the relay's HTTP API. Every answer is parsed with the
 * shared zod schemas; every failure becomes a SendwayError whose message a
 * rep can act on (the relay's own reason where it gave one).
 */
export class RelayClient {
  private readonly base: string;
  private readonly doFetch: FetchLike;
  private readonly timeoutMs: number;

  constructor(private readonly options: RelayClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.doFetch = options.fetch ?? ((url, init) => fetch(url, init));
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** The relay's origin, for host-permission checks and messages. */
  get origin(): string {
    return new URL(this.base).origin;
  }

  me(signal?: AbortSignal) {
    return this.request('GET', '/v1/me', Me, { signal });
  }

  async listChannels(signal?: AbortSignal) {
    return (await this.request('GET', '/v1/channels', ChannelList, { signal })).channels;
  }

  createChannel(body: z.input<typeof CreateChannelRequest>, signal?: AbortSignal) {
    return this.request('POST', '/v1/channels', CreatedChannel, { body, signal });
  }

  /** New credentials (e.g. after a password change) or settings; answers the channel. */
  updateChannel(id: string, body: UpdateChannelRequest, signal?: AbortSignal) {
    return this.request('PATCH', `/v1/channels/${enc(id)}`, Channel, { body, signal });
  }

  async deleteChannel(id: string, signal?: AbortSignal): Promise<void> {
    await this.request('DELETE', `/v1/channels/${enc(id)}`, null, { signal });
  }

  verifyChannel(id: string, signal?: AbortSignal) {
    return this.request('POST', `/v1/channels/${enc(id)}/verify`, VerifyResult, {
      body: {},
      signal,
      timeoutMs: VERIFY_TIMEOUT_MS,
    });
  }

  sendMessage(body: SendMessageRequest, idempotencyKey: string, signal?: AbortSignal) {
    return this.request('POST', '/v1/messages', Accepted, {
      body,
      signal,
      headers: { 'Idempotency-Key': idempotencyKey },
    });
  }

  getMessage(id: string, signal?: AbortSignal) {
    return this.request('GET', `/v1/messages/${enc(id)}`, MessageView, { signal });
  }

  async listMessages(query: { status?: MessageStatus; limit?: number } = {}, signal?: AbortSignal) {
    const params = new URLSearchParams();
    if (query.status) params.set('status', MessageStatus.parse(query.status));
    if (query.limit) params.set('limit', String(query.limit));
    const qs = params.size ? `?${params}` : '';
    return (await this.request('GET', `/v1/messages${qs}`, MessageList, { signal })).messages;
  }

  /** Cancels a message that is not sending yet (409 otherwise); answers the message as it is now. */
  cancelMessage(id: string, signal?: AbortSignal) {
    return this.request('DELETE', `/v1/messages/${enc(id)}`, MessageView, { signal });
  }

  /**
   * Puts a failed or cancelled message back in the queue. A relay without the
   * endpoint answers "no such endpoint" (a 404 that names no field, unlike an
   * unknown message id): that becomes an error saying so.
   */
  async retryMessage(id: string, signal?: AbortSignal) {
    try {
      await this.request('POST', `/v1/messages/${enc(id)}/retry`, null, { body: {}, signal });
    } catch (error) {
      if (error instanceof SendwayError && error.code === 'not_found' && !error.field) {
        throw this.error('retry_unsupported', 'retryUnsupported');
      }
      throw error;
    }
    return this.getMessage(id, signal);
  }

  /**
   * How the relay is set up for Office 365 sign-in. A relay from before
   * modern authentication answers "no such endpoint": null then.
   */
  async microsoftOAuthInfo(signal?: AbortSignal): Promise<MicrosoftOAuthInfo | null> {
    try {
      return await this.request('GET', '/v1/channels/office365/oauth', MicrosoftOAuthInfo, { signal });
    } catch (error) {
      if (error instanceof SendwayError && error.code === 'not_found' && !error.field) return null;
      throw error;
    }
  }

  /** Redeems a Microsoft sign-in on the relay: the rep's Office 365 channel (created, or the existing one signed in again). */
  connectOffice365(body: OAuthCodeRequest, signal?: AbortSignal) {
    return this.request('POST', '/v1/channels/office365/oauth', Channel, { body, signal, timeoutMs: VERIFY_TIMEOUT_MS });
  }

  /** Signs an Office 365 channel in again (or switches a password channel to OAuth); its queued mail goes. */
  reconnectOffice365(id: string, body: Omit<OAuthCodeRequest, 'name'>, signal?: AbortSignal) {
    return this.request('POST', `/v1/channels/${enc(id)}/oauth`, Channel, { body, signal, timeoutMs: VERIFY_TIMEOUT_MS });
  }

  /** The API paths the relay publishes (GET /v1/openapi.json, no auth needed), to see what it supports. */
  async apiPaths(signal?: AbortSignal): Promise<string[]> {
    const doc = await this.request('GET', '/v1/openapi.json', z.object({ paths: z.record(z.string(), z.unknown()) }), { signal });
    return Object.keys(doc.paths);
  }

  /** GET /v1/channels/:id/deliverability, or GET /v1/deliverability?provider= for the token's own domain. */
  deliverability(target: { channelId: string } | { provider: 'gmail' }, opts: { dkimSelector?: string; refresh?: boolean; signal?: AbortSignal } = {}) {
    const query = new URLSearchParams();
    if ('provider' in target) query.set('provider', target.provider);
    if (opts.dkimSelector) query.set('dkimSelector', opts.dkimSelector);
    if (opts.refresh) query.set('refresh', '1');
    const path = 'provider' in target ? '/v1/deliverability' : `/v1/channels/${encodeURIComponent(target.channelId)}/deliverability`;
    const qs = query.toString();
    return this.request('GET', qs ? `${path}?${qs}` : path, DeliverabilityReport, { signal: opts.signal, timeoutMs: 30_000 });
  }

  async limits(signal?: AbortSignal): Promise<ChannelLimits[]> {
    return (await this.request('GET', '/v1/limits', LimitsList, { signal })).limits;
  }

  private async request<S extends z.ZodType | null>(
    method: string,
    path: string,
    schema: S,
    opts: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal; timeoutMs?: number },
  ): Promise<S extends z.ZodType ? z.output<S> : void> {
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? this.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${this.options.token}`,
      ...opts.headers,
    };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.doFetch(this.base + path, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal,
        // Never send the browser's cookies for the relay's origin along with the token.
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (error) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? error;
      if (timeout.aborted) throw this.error('relay_timeout', 'timeout');
      throw this.error('relay_unreachable', 'unreachable');
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw this.httpError(response.status, text);
    if (schema === null) return undefined as never;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw this.error('relay_bad_reply', 'notARelay');
    }
    const parsed = (schema as z.ZodType).safeParse(json);
    if (!parsed.success) throw this.error('relay_bad_reply', 'badReply');
    return parsed.data as never;
  }

  private httpError(status: number, text: string): SendwayError {
    let body: ApiError | undefined;
    try {
      const parsed = ApiError.safeParse(JSON.parse(text));
      if (parsed.success) body = parsed.data;
    } catch {
      // Not JSON: a proxy's error page, or not a relay at all.
    }
    if (status === 401) return this.error('relay_unauthorized', 'unauthorized');
    if (!body) {
      if (status === 404 || status === 405) return this.error('relay_bad_reply', 'notARelay');
      if (status >= 500) return this.error('relay_error', 'serverError', [String(status)]);
      return this.error('relay_error', 'httpError', [String(status)]);
    }
    // The relay explains 4xx answers itself (which field, which rule), so its words are shown as they are.
    if (status >= 500) return this.error('relay_error', 'serverError', [String(status)]);
    return new SendwayError(body.error.code, body.error.message, body.error.field);
  }

  private error(code: string, key: RelayErrorKey, subs: string[] = []): SendwayError {
    return new SendwayError(code, relayErrorText(key, [safeHost(this.base), ...subs]));
  }
}

function enc(id: string): string {
  return encodeURIComponent(id);
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
