/**
 * Shared pieces for the Gmail unit tests: a stand-in for Google's authorize
 * redirect and for users.messages.send, both pure functions over URLs and
 * Requests (the browser tests use the real local fake in test/helpers).
 */
import { GMAIL_SEND_SCOPE, gmailConfigFrom, type GmailConfig } from './config';

export const REDIRECT = 'https://odbmceaebecihlmjdpgmbmagceiihbmh.chromiumapp.org/';
const b64url = (s: string) => btoa(unescape(encodeURIComponent(s))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

export function testConfig(extra: Parameters<typeof gmailConfigFrom>[0] = {}): GmailConfig {
  return gmailConfigFrom({ googleClientId: 'cid', googleAuthUrl: 'https://auth.test/auth', gmailApiBase: 'https://api.test', googleRevokeUrl: 'https://auth.test/revoke', ...extra });
}

export interface FakeGoogleFlow {
  launches: { url: URL; interactive: boolean }[];
  /** Who is signed in to "Google" in this browser; undefined = nobody (silent flows fail). */
  signedIn: string | undefined;
  hd?: string;
  expiresIn: number;
  tokenCounter: number;
  deny?: 'access_denied' | 'window_closed';
  launch: (d: { url: string; interactive: boolean }) => Promise<string>;
}

export function fakeGoogleFlow(now: () => number, signedIn: string | undefined = 'rep@example.com'): FakeGoogleFlow {
  const flow: FakeGoogleFlow = {
    launches: [],
    signedIn,
    expiresIn: 3600,
    tokenCounter: 0,
    async launch({ url, interactive }) {
      const u = new URL(url);
      flow.launches.push({ url: u, interactive });
      const p = u.searchParams;
      if (flow.deny === 'window_closed' && interactive) throw new Error('The user did not approve access.');
      const state = p.get('state')!;
      if (flow.deny === 'access_denied') return `${REDIRECT}#state=${state}&error=access_denied`;
      if (!flow.signedIn) {
        if (!interactive) return `${REDIRECT}#state=${state}&error=interaction_required`;
        flow.signedIn = 'rep@example.com';
      }
      const claims = { aud: p.get('client_id'), nonce: p.get('nonce'), exp: Math.floor(now() / 1000) + 3600, email: flow.signedIn, email_verified: true, ...(flow.hd ? { hd: flow.hd } : {}) };
      const idToken = `${b64url('{"alg":"none"}')}.${b64url(JSON.stringify(claims))}.x`;
      const params = new URLSearchParams({ state, access_token: `tok-${++flow.tokenCounter}`, token_type: 'Bearer', expires_in: String(flow.expiresIn), scope: `openid email ${GMAIL_SEND_SCOPE}`, id_token: idToken });
      return `${REDIRECT}#${params}`;
    },
  };
  return flow;
}

export interface FakeGmailApi {
  requests: { token: string; raw: string; threadId?: string; at: number }[];
  /** Answers to give before succeeding, in order. */
  faults: { status: number; body?: object; headers?: Record<string, string> }[];
  validTokens: Set<string>;
  networkFailures: number;
  fetch: typeof fetch;
}

export function fakeGmailApi(now: () => number): FakeGmailApi {
  const api: FakeGmailApi = {
    requests: [],
    faults: [],
    validTokens: new Set(),
    networkFailures: 0,
    fetch: async (input, init) => {
      const url = String(input);
      if (url.endsWith('/revoke')) return new Response('{}', { status: 200 });
      if (api.networkFailures > 0) {
        api.networkFailures--;
        throw new TypeError('Failed to fetch');
      }
      const token = String((init?.headers as Record<string, string>).Authorization).replace(/^Bearer /, '');
      if (api.validTokens.size && !api.validTokens.has(token)) return new Response('{"error":{"code":401,"message":"Invalid Credentials"}}', { status: 401 });
      const fault = api.faults.shift();
      if (fault) return new Response(JSON.stringify(fault.body ?? { error: { code: fault.status, message: `HTTP ${fault.status}` } }), { status: fault.status, headers: fault.headers });
      const body = JSON.parse(String(init?.body)) as { raw: string; threadId?: string };
      const raw = decodeURIComponent(escape(atob(body.raw.replace(/-/g, '+').replace(/_/g, '/'))));
      api.requests.push({ token, raw, ...(body.threadId ? { threadId: body.threadId } : {}), at: now() });
      return new Response(JSON.stringify({ id: `msg${api.requests.length}`, threadId: body.threadId ?? `thr${api.requests.length}`, labelIds: ['SENT'] }), { status: 200 });
    },
  };
  return api;
}

/** A clock that moves only when told to or when the code under test sleeps. */
export function fakeClock(start = Date.UTC(2026, 0, 5, 9, 0, 0)) {
  const clock = {
    t: start,
    sleeps: [] as number[],
    now: () => clock.t,
    advance: (ms: number) => {
      clock.t += ms;
    },
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
  };
  return clock;
}
