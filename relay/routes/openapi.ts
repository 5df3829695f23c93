import { z } from 'zod';
import {
  ApiError,
  Channel,
  ChannelList,
  CreateChannelRequest,
  CreateTokensRequest,
  CreateTokensResponse,
  LimitsList,
  Me,
  MessageList,
  MessageView,
  SendMessageRequest,
  SendMessageResponse,
  UpdateChannelRequest,
  VerifyResult,
} from '../../shared/schemas/relay-api';
import { ListMessagesQuery } from './messages';
import {
  SuppressionChangeRequest,
  SuppressionCheckRequest,
  SuppressionCheckResponse,
  SuppressionList,
  UnsubscribeLinksRequest,
  UnsubscribeLinksResponse,
} from '../../shared/schemas/unsubscribe';
import { MicrosoftOAuthInfo, OAuthCodeRequest } from '../../shared/schemas/microsoft-oauth';
import { DeliverabilityReport } from '../../shared/schemas/deliverability';

/** JSON Schema of a zod schema, as the request side sees it (input types, before transforms). */
const schema = (s: z.ZodType, io: 'input' | 'output' = 'input') =>
  z.toJSONSchema(s, { io, target: 'openapi-3.0', unrepresentable: 'any' }) as Record<string, unknown>;

const json = (s: z.ZodType, io: 'input' | 'output' = 'output') => ({ content: { 'application/json': { schema: schema(s, io) } } });
const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [String(code), { description: ERROR_TEXT[code] ?? 'error', ...json(ApiError) }]));
const ERROR_TEXT: Record<number, string> = {
  400: 'malformed JSON or a schema violation; `field` names the offending field',
  401: 'missing, unknown or revoked token',
  403: 'not allowed for this token',
  404: 'unknown id',
  409: 'conflict with the current state',
  413: 'body over RELAY_MAX_BODY',
  415: 'body is not application/json',
  422: 'valid but not possible (egress denied, too many recipients)',
  429: 'too many failed token attempts; see Retry-After',
};
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const secured = [{ bearer: [] }];

/** The OpenAPI 3 document for /v1, generated from the same zod schemas the routes validate with. */
export function openApiDocument(version: string) {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Sendway relay',
      version,
      description: 'Authenticated, durable SMTP sending with per-channel limits. Every error body is `{error: {code, message, field?}}`.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: secured,
    paths: {
      '/v1/channels': {
        post: {
          summary: 'Create an SMTP channel (presets fill host, port, security and limits)',
          requestBody: { required: true, ...json(CreateChannelRequest, 'input') },
          responses: { '201': { description: 'the channel (never the password)', ...json(Channel) }, ...errors(400, 401, 403, 413, 415, 422) },
        },
        get: { summary: 'Channels this token may use', responses: { '200': { description: 'channels', ...json(ChannelList) }, ...errors(401) } },
      },
      '/v1/channels/{id}': {
        parameters: [idParam],
        get: { summary: 'One channel', responses: { '200': { description: 'the channel', ...json(Channel) }, ...errors(401, 403, 404) } },
        patch: {
          summary: 'Change a channel (owner or admin), e.g. a new password',
          requestBody: { required: true, ...json(UpdateChannelRequest, 'input') },
          responses: { '200': { description: 'the channel', ...json(Channel) }, ...errors(400, 401, 403, 404, 415, 422) },
        },
        delete: { summary: 'Delete a channel (owner or admin); its unsent mail is cancelled', responses: { '200': { description: 'deleted' }, ...errors(401, 403, 404) } },
      },
      '/v1/channels/{id}/verify': {
        parameters: [idParam],
        post: {
          summary: 'Connect, upgrade to TLS and authenticate without sending',
          responses: { '200': { description: '{ok: true} or {ok: false, code, message}', ...json(VerifyResult) }, ...errors(401, 403, 404) },
        },
      },
      '/v1/channels/office365/oauth': {
        get: {
          summary: 'How the relay is set up for Office 365 sign-in (client id, tenant, authorize URL, scopes; nothing secret)',
          responses: { '200': { description: 'Microsoft sign-in settings', ...json(MicrosoftOAuthInfo) }, ...errors(401) },
        },
        post: {
          summary: 'Office 365 with modern authentication: redeem an authorization code (PKCE) and create the rep\'s personal channel (auth oauth2, XOAUTH2)',
          requestBody: { required: true, ...json(OAuthCodeRequest, 'input') },
          responses: {
            '201': { description: 'the new channel (never a token)', ...json(Channel) },
            '200': { description: 'this mailbox was already connected: the existing channel, signed in again', ...json(Channel) },
            '503': { description: 'the Microsoft sign-in service could not be reached', ...json(ApiError) },
            ...errors(400, 401, 403, 413, 415, 422),
          },
        },
      },
      '/v1/channels/{id}/oauth': {
        parameters: [idParam],
        post: {
          summary: 'Reconnect an Office 365 channel with a new sign-in (after "needs_reconnect"), or switch a password channel to OAuth; queued mail is sent',
          requestBody: { required: true, ...json(OAuthCodeRequest, 'input') },
          responses: {
            '200': { description: 'the channel, active again', ...json(Channel) },
            '503': { description: 'the Microsoft sign-in service could not be reached', ...json(ApiError) },
            ...errors(400, 401, 403, 404, 409, 415, 422),
          },
        },
      },
      '/v1/channels/{id}/deliverability': {
        parameters: [idParam],
        get: {
          summary: "SPF, DKIM, DMARC and MX of the channel's sending domains, each with a status and a fix (cached; ?refresh=1 re-checks; ?dkimSelector= for custom SMTP/SparkPost)",
          responses: { '200': { description: 'report', ...json(DeliverabilityReport) }, ...errors(400, 401, 403, 404) },
        },
      },
      '/v1/deliverability': {
        get: {
          summary: "The same checks for the token's own domain as sent by a provider outside the relay (?provider=gmail for the extension's Gmail channel)",
          responses: { '200': { description: 'report', ...json(DeliverabilityReport) }, ...errors(400, 401) },
        },
      },
      '/v1/messages': {
        post: {
          summary: 'Queue a message; 202 means it is on disk',
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string', maxLength: 200 } }],
          requestBody: { required: true, ...json(SendMessageRequest, 'input') },
          responses: {
            '202': { description: 'accepted (a replay of the same key returns the same message)', ...json(SendMessageResponse) },
            ...errors(400, 401, 403, 404, 409, 413, 415, 422),
          },
        },
        get: {
          summary: "This token's messages, newest first",
          parameters: Object.entries((schema(ListMessagesQuery).properties ?? {}) as Record<string, unknown>).map(([name, s]) => ({ name, in: 'query', schema: s })),
          responses: { '200': { description: 'messages', ...json(MessageList) }, ...errors(400, 401) },
        },
      },
      '/v1/messages/{id}': {
        parameters: [idParam],
        get: { summary: 'One of your messages', responses: { '200': { description: 'the message', ...json(MessageView) }, ...errors(401, 404) } },
        delete: { summary: 'Cancel a message not yet being sent', responses: { '200': { description: 'cancelled', ...json(MessageView) }, ...errors(401, 404, 409) } },
      },
      '/v1/messages/{id}/retry': {
        parameters: [idParam],
        post: {
          summary: 'Queue a failed or cancelled message again, with the same Message-ID (409 otherwise; 422 if a recipient has unsubscribed since)',
          responses: { '200': { description: 'the message, queued', ...json(MessageView) }, ...errors(401, 403, 404, 409, 422) },
        },
      },
      '/v1/limits': { get: { summary: 'Usage and next free slot per usable channel', responses: { '200': { description: 'limits', ...json(LimitsList) }, ...errors(401) } } },
      '/v1/me': { get: { summary: 'Who this token is', responses: { '200': { description: 'me', ...json(Me) }, ...errors(401) } } },
      '/v1/admin/tokens': {
        post: {
          summary: 'Create tokens in bulk (admin)',
          requestBody: { required: true, ...json(CreateTokensRequest, 'input') },
          responses: { '201': { description: 'the new tokens, shown once', ...json(CreateTokensResponse) }, ...errors(400, 401, 403) },
        },
        get: { summary: 'List tokens (admin; never the tokens themselves)', responses: { '200': { description: 'tokens' }, ...errors(401, 403) } },
      },
      '/v1/admin/tokens/{id}': {
        parameters: [idParam],
        delete: { summary: 'Revoke a token (admin)', responses: { '200': { description: 'revoked' }, ...errors(401, 403, 404) } },
      },
      '/v1/unsubscribe/links': {
        post: {
          summary: 'Signed one-click unsubscribe links (RFC 8058) for recipients of mail from a domain you send from',
          requestBody: { required: true, ...json(UnsubscribeLinksRequest, 'input') },
          responses: { '200': { description: 'one link per address', ...json(UnsubscribeLinksResponse) }, ...errors(400, 401, 403, 415) },
        },
      },
      '/v1/suppressions/check': {
        post: {
          summary: 'Which of these addresses unsubscribed from mail of your sending domain',
          requestBody: { required: true, ...json(SuppressionCheckRequest, 'input') },
          responses: { '200': { description: 'the suppressed ones', ...json(SuppressionCheckResponse) }, ...errors(400, 401, 403, 415) },
        },
      },
      '/v1/suppressions': {
        get: { summary: 'The suppression list (admin), ?domain= to filter', responses: { '200': { description: 'suppressions', ...json(SuppressionList) }, ...errors(400, 401, 403) } },
        post: {
          summary: 'Suppress addresses for a sending domain (admin); their waiting mail is cancelled',
          requestBody: { required: true, ...json(SuppressionChangeRequest, 'input') },
          responses: { '201': { description: 'added' }, ...errors(400, 401, 403, 415) },
        },
        delete: {
          summary: 'Lift suppressions (admin)',
          requestBody: { required: true, ...json(SuppressionChangeRequest, 'input') },
          responses: { '200': { description: 'removed' }, ...errors(400, 401, 403, 415) },
        },
      },
      '/unsubscribe/{token}': {
        parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }],
        get: { summary: 'Confirmation page (HTML); changes nothing', security: [], responses: { '200': { description: 'page' }, '400': { description: 'not a valid link' } } },
        post: {
          summary: 'One-click unsubscribe (RFC 8058): body List-Unsubscribe=One-Click',
          security: [],
          requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', properties: { 'List-Unsubscribe': { type: 'string', enum: ['One-Click'] } } } } } },
          responses: { '200': { description: 'unsubscribed (HTML)' }, '400': { description: 'not a valid link, or no List-Unsubscribe=One-Click' } },
        },
      },
      '/v1/openapi.json': { get: { summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3 document' } } } },
      '/healthz': {
        get: {
          summary: 'Liveness: the process answers (no database round trip)',
          security: [],
          responses: { '200': { description: '`{status: "ok", version}`' } },
        },
      },
      '/readyz': {
        get: {
          summary: 'Readiness: the database answers `select 1`, the delivery loop runs, the relay is not shutting down',
          security: [],
          responses: {
            '200': { description: '`{ready: true, checks: {database: "ok", worker: "ok", shutdown: "ok"}}`' },
            '503': { description: '`{ready: false, checks}`: every check not "ok" says why (e.g. `shutdown: "shutting down"` after SIGTERM)' },
          },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus text exposition (0.0.4). Served only when RELAY_METRICS_TOKEN is set, with that token as bearer (not a relay token)',
          security: [],
          responses: {
            '200': { description: 'metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
            '401': { description: 'missing or wrong metrics token' },
            '404': { description: 'RELAY_METRICS_TOKEN is not set' },
          },
        },
      },
    },
  };
}
