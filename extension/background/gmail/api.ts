import { byteLength, toBase64Url } from './mime-encode';

export interface GmailSendResult {
  id: string;
  threadId: string;
}

/**
 * What went wrong, in the terms the dispatcher acts on:
 * - unauthorized: token expired or revoked (401) → one silent re-auth
 * - scope: the token lacks gmail.send (403 insufficientPermissions) → the rep must connect again
 * - rate_limited: slow down and retry (429, 403 rate reasons)
 * - quota: the account's sending limit is spent; Google says when it frees up
 * - server: 5xx, retry with backoff
 * - rejected: 4xx about the message itself; retrying will not help
 * - forbidden: the organisation blocks the Gmail API or the account cannot send
 * - network: no answer; the request may or may not have reached Google
 */
export type GmailFailureKind = 'unauthorized' | 'scope' | 'rate_limited' | 'quota' | 'server' | 'rejected' | 'forbidden' | 'network';

export class GmailApiError extends Error {
  constructor(
    readonly kind: GmailFailureKind,
    readonly status: number,
    readonly googleMessage: string,
    readonly reason?: string,
    /** How long Google asked us to wait, when it said. */
    readonly retryAfterMs?: number,
  ) {
    super(`Gmail API ${status || 'network'} ${kind}: ${googleMessage}`);
    this.name = 'GmailApiError';
  }
}

/** Retry-After as delta-seconds or an HTTP date; Gmail's sending limit also says "Retry after <ISO time>" in the message. */
export function parseRetryAfter(header: string | null | undefined, message: string, now: number): number | undefined {
  if (header) {
    const trimmed = header.trim();
    if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
    const at = Date.parse(trimmed);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  const inMessage = /retry after (\d{4}-\d{2}-\d{2}T[\d:.]+Z)/i.exec(message);
  if (inMessage) {
    const at = Date.parse(inMessage[1]!);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  return undefined;
}

interface GoogleErrorBody {
  error?: { code?: number; message?: string; status?: string; errors?: { reason?: string; message?: string }[] };
}

const RATE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'RESOURCE_EXHAUSTED']);
const QUOTA_REASONS = new Set(['dailyLimitExceeded', 'quotaExceeded', 'dailyLimitExceededUnreg']);
const SCOPE_REASONS = new Set(['insufficientPermissions', 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', 'PERMISSION_DENIED_SCOPE']);

export function classifyGmailError(status: number, bodyText: string, retryAfterHeader: string | null, now: number): GmailApiError {
  let body: GoogleErrorBody = {};
  try {
    body = JSON.parse(bodyText) as GoogleErrorBody;
  } catch {
    // Proxies and load balancers answer in HTML; the status says enough.
  }
  const message = (body.error?.message || bodyText.slice(0, 200) || `HTTP ${status}`).trim();
  const reasons = [...(body.error?.errors ?? []).map((e) => e.reason ?? ''), body.error?.status ?? ''];
  const reason = reasons.find(Boolean);
  const retryAfterMs = parseRetryAfter(retryAfterHeader, message, now);
  const mailSending = /mail sending|sending limit/i.test(message);

  if (status === 401) return new GmailApiError('unauthorized', status, message, reason);
  if (status === 429 || (status === 403 && reasons.some((r) => RATE_REASONS.has(r) || QUOTA_REASONS.has(r)))) {
    const quota = mailSending || reasons.some((r) => QUOTA_REASONS.has(r)) || (retryAfterMs ?? 0) > 15 * 60_000;
    return new GmailApiError(quota ? 'quota' : 'rate_limited', status, message, reason, retryAfterMs);
  }
  if (status === 403 && reasons.some((r) => SCOPE_REASONS.has(r))) return new GmailApiError('scope', status, message, reason);
  if (status === 403) return new GmailApiError('forbidden', status, message, reason);
  if (status >= 500) return new GmailApiError('server', status, message, reason, retryAfterMs);
  return new GmailApiError('rejected', status, message, reason);
}

/** Above this the base64url JSON body gets large; Google's upload endpoint takes the MIME as is. */
export const SIMPLE_SEND_MAX_BYTES = 4 * 1024 * 1024;

export interface SendRawOptions {
  apiBase: string;
  accessToken: string;
  raw: string;
  threadId?: string;
  fetch: typeof fetch;
  now: () => number;
  signal?: AbortSignal;
}

/** users.messages.send: the message as base64url `raw` (or a multipart upload for big ones). */
export async function sendRaw(o: SendRawOptions): Promise<GmailSendResult> {
  const headers: Record<string, string> = { Authorization: `Bearer ${o.accessToken}` };
  let url: string;
  let body: string;
  const metadata = o.threadId ? { threadId: o.threadId } : {};
  if (byteLength(o.raw) <= SIMPLE_SEND_MAX_BYTES) {
    url = `${o.apiBase}/gmail/v1/users/me/messages/send`;
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify({ ...metadata, raw: toBase64Url(o.raw) });
  } else {
    const boundary = `sendway-${Math.random().toString(36).slice(2)}`;
    url = `${o.apiBase}/upload/gmail/v1/users/me/messages/send?uploadType=multipart`;
    headers['Content-Type'] = `multipart/related; boundary=${boundary}`;
    body =
      `--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n${JSON.stringify(metadata)}\r\n` +
      `--${boundary}\r\nContent-Type: message/rfc822\r\n\r\n${o.raw}\r\n--${boundary}--`;
  }
  let response: Response;
  try {
    response = await o.fetch(url, { method: 'POST', headers, body, signal: o.signal });
  } catch (error) {
    if (o.signal?.aborted) throw error;
    throw new GmailApiError('network', 0, error instanceof Error ? error.message : String(error));
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) throw classifyGmailError(response.status, text, response.headers.get('retry-after'), o.now());
  try {
    const parsed = JSON.parse(text) as Partial<GmailSendResult>;
    if (typeof parsed.id === 'string' && typeof parsed.threadId === 'string') return { id: parsed.id, threadId: parsed.threadId };
  } catch {
    // fall through
  }
  // Google said 200, so the mail is sent; only the ids are missing.
  return { id: '', threadId: o.threadId ?? '' };
}
