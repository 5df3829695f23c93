import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { EXTENSION_ID } from './chromium';

export const EXTENSION_REDIRECT = `https://${EXTENSION_ID}.chromiumapp.org/`;
export const GMAIL_SEND_SCOPE = 'https://www.googleapis.com/auth/gmail.send';

interface IssuedToken {
  email: string;
  scopes: string[];
  expiresAt: number;
  revoked: boolean;
}

export interface SentMessage {
  raw: string;
  parsed: ParsedMail;
  threadId?: string;
  token: string;
  at: number;
  id: string;
}

export interface SendAttempt {
  at: number;
  status: number;
  token: string;
}

type Fault = { status: number; retryAfter?: string; body?: unknown };

/**
 * A local stand-in for Google on 127.0.0.1: the OAuth authorize endpoint
 * (implicit flow: redirects back to the extension with a token and a signed
 * id_token, or shows a consent page when the rep has to act), the revoke
 * endpoint, and Gmail's users.messages.send, which checks the bearer token,
 * parses the raw MIME with mailparser and can answer 401/429/500 on demand.
 * CORS is answered the way Google's APIs do, for a service worker's fetch.
 */
export class FakeGoogle {
  readonly clientId: string;
  /** The Google session in "this browser": undefined = nobody signed in (prompt=none fails). */
  signedIn: string | undefined = 'rep@example.com';
  /** Workspace domain to put in id_tokens (hd claim). */
  hostedDomain: string | undefined;
  /** Lifetime of the access tokens it issues, in seconds. */
  expiresIn = 3600;
  /** Scopes the rep "grants" on the consent page; default: all requested. */
  grantScopes: ((requested: string[]) => string[]) | undefined;

  /** Called after each accepted send with the number sent so far (to change things between two sends of one batch). */
  onSent: ((count: number) => void) | undefined;

  readonly authorizeRequests: URLSearchParams[] = [];
  readonly sent: SentMessage[] = [];
  readonly sendAttempts: SendAttempt[] = [];
  readonly revoked: string[] = [];

  private readonly tokens = new Map<string, IssuedToken>();
  private readonly faults: Fault[] = [];
  private readonly key = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  private server!: http.Server;
  private base = '';
  private counter = 0;

  constructor(options: { clientId?: string } = {}) {
    this.clientId = options.clientId ?? 'sendway-test.apps.googleusercontent.com';
  }

  get authUrl() {
    return `${this.base}/o/oauth2/v2/auth`;
  }
  get revokeUrl() {
    return `${this.base}/revoke`;
  }
  get apiBase() {
    return this.base;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next `count` send requests get this answer instead of success. */
  failNext(status: number, options: { retryAfter?: string; body?: unknown; count?: number } = {}): void {
    for (let i = 0; i < (options.count ?? 1); i++) this.faults.push({ status, retryAfter: options.retryAfter, body: options.body });
  }

  /** Invalidates every issued token on Google's side (password change, admin revoke...). */
  invalidateAllTokens(): void {
    for (const token of this.tokens.values()) token.revoked = true;
  }

  tokenInfo(token: string): IssuedToken | undefined {
    return this.tokens.get(token);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.base);
    const cors = {
      'access-control-allow-origin': req.headers.origin ?? '*',
      'access-control-expose-headers': 'retry-after',
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...cors,
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'authorization, content-type',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    if (url.pathname === '/o/oauth2/v2/auth') return this.authorize(url.searchParams, res);
    if (url.pathname === '/approve') return this.approve(url.searchParams, res);
    if (url.pathname === '/revoke' && req.method === 'POST') {
      const token = new URLSearchParams(await readBody(req)).get('token') ?? '';
      const issued = this.tokens.get(token);
      res.writeHead(issued ? 200 : 400, { ...cors, 'content-type': 'application/json' });
      if (issued) {
        issued.revoked = true;
        this.revoked.push(token);
      }
      res.end(issued ? '{}' : '{"error":"invalid_token"}');
      return;
    }
    if (req.method === 'POST' && /^\/(upload\/)?gmail\/v1\/users\/me\/messages\/send$/.test(url.pathname)) {
      return this.send(req, url, res, cors);
    }
    res.writeHead(404, cors);
    res.end();
  }

  private authorize(p: URLSearchParams, res: http.ServerResponse): void {
    this.authorizeRequests.push(p);
    const redirect = p.get('redirect_uri');
    if (p.get('client_id') !== this.clientId || redirect !== EXTENSION_REDIRECT) {
      res.writeHead(400, { 'content-type': 'text/html' });
      res.end('<h1>Error 400: redirect_uri_mismatch or invalid_client</h1>');
      return;
    }
    const state = p.get('state') ?? '';
    const signedInAs = this.signedIn && (!p.get('login_hint') || p.get('login_hint') === this.signedIn) ? this.signedIn : undefined;
    if (p.get('prompt') === 'none') {
      if (!signedInAs) return redirectTo(res, `${EXTENSION_REDIRECT}#${new URLSearchParams({ state, error: 'interaction_required' })}`);
      return redirectTo(res, this.grant(p, signedInAs));
    }
    if (signedInAs) return redirectTo(res, this.grant(p, signedInAs));
    // The rep has to act: a sign-in and consent page with an Allow button.
    const approve = new URL(`${this.base}/approve`);
    for (const [k, v] of p) approve.searchParams.set(k, v);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><title>Sign in - Google Accounts</title><h1>Sendway wants to send email on your behalf</h1>` +
        `<a id="allow" href="${escapeHtml(approve.toString())}">Allow</a> ` +
        `<a id="deny" href="${escapeHtml(`${EXTENSION_REDIRECT}#${new URLSearchParams({ state, error: 'access_denied' })}`)}">Cancel</a>`,
    );
  }

  private approve(p: URLSearchParams, res: http.ServerResponse): void {
    this.signedIn = this.signedIn ?? p.get('login_hint') ?? 'rep@example.com';
    redirectTo(res, this.grant(p, this.signedIn));
  }

  private grant(p: URLSearchParams, email: string): string {
    const requested = (p.get('scope') ?? '').split(' ').filter(Boolean);
    const scopes = this.grantScopes ? this.grantScopes(requested) : requested;
    const accessToken = `ya29.fake-${++this.counter}-${crypto.randomBytes(6).toString('hex')}`;
    this.tokens.set(accessToken, { email, scopes, expiresAt: Date.now() + this.expiresIn * 1000, revoked: false });
    const now = Math.floor(Date.now() / 1000);
    const idToken = this.signJwt({
      iss: 'https://accounts.google.com',
      aud: this.clientId,
      sub: `sub-${email}`,
      email,
      email_verified: true,
      nonce: p.get('nonce'),
      iat: now,
      exp: now + 3600,
      ...(this.hostedDomain ? { hd: this.hostedDomain } : {}),
    });
    const fragment = new URLSearchParams({
      state: p.get('state') ?? '',
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: String(this.expiresIn),
      scope: scopes.join(' '),
      id_token: idToken,
    });
    return `${EXTENSION_REDIRECT}#${fragment}`;
  }

  private async send(req: http.IncomingMessage, url: URL, res: http.ServerResponse, cors: Record<string, string>): Promise<void> {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    const issued = this.tokens.get(token);
    const body = await readBody(req);
    const answer = (status: number, payload: unknown, extra: Record<string, string> = {}) => {
      this.sendAttempts.push({ at: Date.now(), status, token });
      res.writeHead(status, { ...cors, 'content-type': 'application/json', ...extra });
      res.end(JSON.stringify(payload));
    };
    if (!issued || issued.revoked || issued.expiresAt <= Date.now()) {
      return answer(401, { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } });
    }
    if (!issued.scopes.includes(GMAIL_SEND_SCOPE)) {
      return answer(403, { error: { code: 403, message: 'Request had insufficient authentication scopes.', errors: [{ reason: 'insufficientPermissions' }] } });
    }
    const fault = this.faults.shift();
    if (fault) {
      return answer(fault.status, fault.body ?? { error: { code: fault.status, message: `Fake fault ${fault.status}` } }, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
    }
    let raw: string;
    let threadId: string | undefined;
    if (url.pathname.startsWith('/upload/')) {
      const boundary = /boundary=([^;]+)/.exec(req.headers['content-type'] ?? '')?.[1];
      const parts = boundary ? body.split(`--${boundary}`).slice(1, -1) : [];
      const meta = JSON.parse(parts[0]?.split('\r\n\r\n').slice(1).join('\r\n\r\n').trim() || '{}') as { threadId?: string };
      raw = (parts[1] ?? '').split('\r\n\r\n').slice(1).join('\r\n\r\n').replace(/\r\n$/, '');
      threadId = meta.threadId;
    } else {
      const json = JSON.parse(body) as { raw?: string; threadId?: string };
      if (!json.raw) return answer(400, { error: { code: 400, message: "'raw' RFC822 payload message string or uploading message via /upload/* URL required", errors: [{ reason: 'invalidArgument' }] } });
      raw = Buffer.from(json.raw, 'base64url').toString('utf8');
      threadId = json.threadId;
    }
    const parsed = await simpleParser(Buffer.from(raw, 'utf8'));
    if (!parsed.to && !parsed.cc && !parsed.bcc) return answer(400, { error: { code: 400, message: 'Recipient address required', errors: [{ reason: 'invalidArgument' }] } });
    const id = `msg-${this.sent.length + 1}`;
    this.sent.push({ raw, parsed, token, at: Date.now(), id, ...(threadId ? { threadId } : {}) });
    answer(200, { id, threadId: threadId ?? `thread-${this.sent.length}`, labelIds: ['SENT'] });
    this.onSent?.(this.sent.length);
  }

  private signJwt(claims: object): string {
    const head = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'fake' })).toString('base64url');
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = crypto.sign('sha256', Buffer.from(`${head}.${body}`), this.key.privateKey).toString('base64url');
    return `${head}.${body}.${signature}`;
  }
}

function redirectTo(res: http.ServerResponse, location: string): void {
  res.writeHead(302, { location });
  res.end();
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
