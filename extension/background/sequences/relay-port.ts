import { z } from 'zod';
import { SendwayError } from '../../../shared/messages/define';
import { ApiError } from '../../../shared/schemas/relay-api';
import { SuppressionCheckResponse, UnsubscribeLinksResponse } from '../../../shared/schemas/unsubscribe';
import { openConnection, relayUrlSetting, TOKEN_SECRET } from '../relay/connection';
import { getSecret } from '../vault';
import type { CancelResult, RelayPort } from './ports';

const TIMEOUT_MS = 15_000;

/** POSTs JSON to the relay's unsubscribe/suppression API with the rep's token; the answer parsed with `schema`. */
async function post<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.output<S>> {
  const [{ url }, token] = await Promise.all([relayUrlSetting(), getSecret(TOKEN_SECRET)]);
  if (!url || !token) throw new SendwayError('relay_not_connected', 'No relay is connected');
  let res: Response;
  try {
    res = await fetch(url.replace(/\/+$/, '') + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch {
    throw new SendwayError('relay_unreachable', 'The relay could not be reached');
  }
  const text = await res.text().catch(() => '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SendwayError('relay_bad_reply', `The relay answered ${res.status} without JSON`);
  }
  if (!res.ok) {
    const err = ApiError.safeParse(json);
    throw new SendwayError(err.success ? err.data.error.code : 'relay_error', err.success ? err.data.error.message : `HTTP ${res.status}`);
  }
  return schema.parse(json);
}

/** The relay as sequences use it: cancel and look up handed-over steps, unsubscribe links, suppression. */
export function createRelayPort(): RelayPort {
  const connection = async () => {
    const conn = await openConnection();
    if (!conn) throw new SendwayError('relay_not_connected', 'No relay is connected');
    return conn;
  };
  return {
    async connected() {
      return (await openConnection()) !== null;
    },
    async cancel(id): Promise<CancelResult> {
      const conn = await connection();
      try {
        await conn.client.cancelMessage(id);
        return 'cancelled';
      } catch (error) {
        if (error instanceof SendwayError && error.code === 'not_cancellable') return 'too_late';
        if (error instanceof SendwayError && error.code === 'not_found') return 'not_found';
        throw error;
      }
    },
    async status(id) {
      const conn = await connection();
      try {
        const m = await conn.client.getMessage(id);
        return { status: m.status, ...(m.sentAt ? { sentAt: Date.parse(m.sentAt) } : {}), ...(m.lastError ? { lastError: m.lastError } : {}) };
      } catch (error) {
        if (error instanceof SendwayError && error.code === 'not_found') return null;
        throw error;
      }
    },
    async unsubscribeLinks(from, addresses) {
      const r = await post('/v1/unsubscribe/links', { from, addresses }, UnsubscribeLinksResponse);
      return new Map(r.links.map((l) => [l.address, l.url]));
    },
    async suppressed(from, addresses) {
      const r = await post('/v1/suppressions/check', { from, addresses }, SuppressionCheckResponse);
      return new Set(r.suppressed.map((s) => s.address));
    },
  };
}
