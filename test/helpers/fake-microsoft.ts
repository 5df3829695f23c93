import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXTENSION_ID } from './chromium';

export const EXTENSION_REDIRECT = `https://${EXTENSION_ID}.chromiumapp.org/`;
export const SMTP_SEND_SCOPE = 'https://outlook.office.com/SMTP.Send';

interface Code {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scopes: string[];
  email: string;
  expiresAt: number;
  used: boolean;
}

interface Access {
  email: string;
  scopes: string[];
  expiresAt: number;
  revoked: boolean;
}

interface Refresh {
  email: string;
  scopes: string[];
  /** Spent by a refresh (strict rotation: a refresh token works once). */
  used: boolean;
  revoked: boolean;
}

export interface TokenRequest {
  grantType: string;
  status: number;
  error?: string;
  at: number;
}

type Fault = { status: number; body: unknown };

const b64url = (buf: Buffer) => buf.toString('base64url');

/**
 * A local stand-in for the Microsoft identity platform on 127.0.0.1, for the
 * authorization-code flow with PKCE as Entra ID runs it:
 * - GET /{tenant}/oauth2/v2.0/authorize: checks the client, the redirect URI
 *   (https://<extension-id>.chromiumapp.org/), S256 and the scopes, then
 *   redirects back with ?code=…&state=… (or shows a sign-in page with Accept /
 *   Cancel when nobody is signed in in "this browser");
 * - POST /{tenant}/oauth2/v2.0/token: redeems a code once, checking the PKCE
 *   verifier against the challenge and the redirect URI; refreshes with strict
 *   rotation (every refresh token works once, so two concurrent refreshes
 *   with the same token fail the second, as a careless client would find
 *   out); answers Microsoft's error shape (error, error_description with an
 *   AADSTS code, error_codes).
 * Access tokens are short-lived and checkable, for the SMTP server's XOAUTH2.
 */
export class FakeMicrosoft {
  readonly clientId: string;
  readonly tenantId = '9188040d-6c67-4c5b-b112-36a304b66dad';
  /** Set: a confidential client (the token endpoint wants this secret). Unset: a public client, which must not send one. */
  clientSecret: string | undefined;
  /** The Microsoft session in "this browser"; undefined = nobody is signed in (the sign-in page shows). */
  signedIn: string | undefined = 'rep@example.com';
  /** Lifetime of issued access tokens, in seconds. */
  expiresIn = 3600;
  /** Delay before the token endpoint answers (to make concurrent refreshes overlap). */
  tokenDelayMs = 0;
  /** Grant offline_access (a refresh token); false mimics an admin policy that withholds it. */
  grantOfflineAccess = true;

  readonly authorizeRequests: URLSearchParams[] = [];
  /** The tenant path segment of each authorize request (common, organizations, a tenant id…). */
  readonly authorizeTenants: string[] = [];
  readonly tokenRequests: TokenRequest[] = [];

  private readonly codes = new Map<string, Code>();
  private readonly access = new Map<string, Access>();
  private readonly refresh = new Map<string, Refresh>();
  private readonly oids = new Map<string, string>();
  private readonly faults: Fault[] = [];
  private readonly key = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  private server!: http.Server;
  private base = '';
  private counter = 0;

  constructor(options: { clientId?: string; clientSecret?: string } = {}) {
    this.clientId = options.clientId ?? '3f1b6a2e-6d1c-4f6b-9a55-0c9d8e7f6a51';
    this.clientSecret = options.clientSecret;
  }

  /** What RELAY_MS_AUTHORITY / microsoftAuthUrl point at. */
  get authority(): string {
    return this.base;
  }
  authorizeUrl(tenant = 'common'): string {
    return `${this.base}/${tenant}/oauth2/v2.0/authorize`;
  }
  tokenUrl(tenant = 'common'): string {
    return `${this.base}/${tenant}/oauth2/v2.0/token`;
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

  /** The SMTP server's XOAUTH2 check: a token we issued, for this user, with SMTP.Send, not expired or revoked. */
  isValidAccessToken(user: string, token: string): boolean {
    const a = this.access.get(token);
    return !!a && !a.revoked && a.expiresAt > Date.now() && a.email === user.toLowerCase() && a.scopes.some((s) => s.toLowerCase() === SMTP_SEND_SCOPE.toLowerCase());
  }

  /** The newest access token issued for `email` (what "the current token" means). */
  latestAccessToken(email = 'rep@example.com'): string | undefined {
    return [...this.access].filter(([, a]) => a.email === email).at(-1)?.[0];
  }

  /** The newest refresh token issued for `email`. */
  latestRefreshToken(email = 'rep@example.com'): string | undefined {
    return [...this.refresh].filter(([, r]) => r.email === email).at(-1)?.[0];
  }

  refreshTokenState(token: string): Refresh | undefined {
    return this.refresh.get(token);
  }

  /** Every access token issued so far stops working now (what SMTP sees after expiry). Refresh tokens stay good. */
  expireAccessTokens(): void {
    for (const a of this.access.values()) a.expiresAt = Date.now() - 1000;
  }

  /** The rep (or an admin) revoked consent / reset the password: every token of `email` is dead; the next refresh gets invalid_grant. */
  revoke(email = 'rep@example.com'): void {
    for (const a of this.access.values()) if (a.email === email) a.revoked = true;
    for (const r of this.refresh.values()) if (r.email === email) r.revoked = true;
  }

  /** The next `count` token requests get this answer (e.g. 503 temporarily_unavailable). */
  failNextToken(status: number, body: unknown, count = 1): void {
    for (let i = 0; i < count; i++) this.faults.push({ status, body });
  }

  refreshCount(): number {
    return this.tokenRequests.filter((r) => r.grantType === 'refresh_token' && r.status === 200).length;
  }

  /**
   * What a browser does with the authorize URL, for tests without one: GET it,
   * and read the code off the redirect to the extension. `verifier` is hashed
   * into the S256 challenge exactly as the extension does.
   */
  async authorizeCode(o: { verifier: string; redirectUri?: string; email?: string; tenant?: string; scope?: string }): Promise<string> {
    const previous = this.signedIn;
    if (o.email) this.signedIn = o.email;
    try {
      const url = new URL(this.authorizeUrl(o.tenant));
      url.search = new URLSearchParams({
        client_id: this.clientId,
        response_type: 'code',
        redirect_uri: o.redirectUri ?? EXTENSION_REDIRECT,
        response_mode: 'query',
        scope: o.scope ?? `${SMTP_SEND_SCOPE} offline_access openid email`,
        state: 'st-' + crypto.randomBytes(4).toString('hex'),
        code_challenge: b64url(crypto.createHash('sha256').update(o.verifier).digest()),
        code_challenge_method: 'S256',
      }).toString();
      const res = await fetch(url, { redirect: 'manual' });
      const location = res.headers.get('location');
      const code = location ? new URL(location).searchParams.get('code') : null;
      if (!code) throw new Error(`authorize did not redirect with a code: ${res.status} ${location ?? (await res.text())}`);
      return code;
    } finally {
      this.signedIn = previous;
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.base);
    const m = /^\/([A-Za-z0-9.-]+)\/oauth2\/v2\.0\/(authorize|token)$/.exec(url.pathname);
    if (m && m[2] === 'authorize' && req.method === 'GET') {
      this.authorizeTenants.push(m[1]!);
      return this.authorize(url.searchParams, res);
    }
    if (m && m[2] === 'token' && req.method === 'POST') return this.token(new URLSearchParams(await readBody(req)), res);
    if (url.pathname === '/approve' && req.method === 'GET') return this.approve(url.searchParams, res);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }

  private authorize(p: URLSearchParams, res: http.ServerResponse): void {
    this.authorizeRequests.push(p);
    const redirect = p.get('redirect_uri') ?? '';
    if (p.get('client_id') !== this.clientId) return page(res, 400, 'AADSTS700016: Application not found in the directory.');
    if (redirect !== EXTENSION_REDIRECT) return page(res, 400, "AADSTS50011: The redirect URI specified in the request does not match the redirect URIs configured for the application.");
    const state = p.get('state') ?? '';
    const fail = (error: string, description: string) => redirectTo(res, `${redirect}?${new URLSearchParams({ error, error_description: description, state })}`);
    if (p.get('response_type') !== 'code') return fail('unsupported_response_type', 'AADSTS700054: response_type must be code.');
    if (p.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(p.get('code_challenge') ?? '')) {
      return fail('invalid_request', 'AADSTS501491: Invalid size of Code_Challenge parameter.');
    }
    const scopes = (p.get('scope') ?? '').split(' ').filter(Boolean);
    if (!scopes.some((s) => s.toLowerCase() === SMTP_SEND_SCOPE.toLowerCase())) return fail('invalid_scope', 'AADSTS70011: The provided request must include SMTP.Send.');
    const hint = p.get('login_hint');
    const who = this.signedIn && (!hint || hint.toLowerCase() === this.signedIn) ? this.signedIn : undefined;
    if (who) return redirectTo(res, this.issueCode(p, who));
    if (p.get('prompt') === 'none') return fail('login_required', 'AADSTS50058: A silent sign-in request was sent but no user is signed in.');
    // Somebody has to sign in and accept: a page with Accept and Cancel.
    const approve = new URL(`${this.base}/approve`);
    for (const [k, v] of p) approve.searchParams.set(k, v);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><title>Sign in to your account</title><h1>Permissions requested</h1><p>Sendway wants to send email as you (SMTP.Send).</p>` +
        `<input id="email" value="${escapeHtml(hint ?? 'rep@example.com')}" aria-label="Email">` +
        `<a id="accept" href="${escapeHtml(approve.toString())}">Accept</a> ` +
        `<a id="cancel" href="${escapeHtml(`${redirect}?${new URLSearchParams({ error: 'access_denied', error_description: 'AADSTS65004: User declined to consent to access the app.', state })}`)}">Cancel</a>` +
        `<script>document.getElementById('accept').addEventListener('click',e=>{e.currentTarget.href+='&login='+encodeURIComponent(document.getElementById('email').value)})</script>`,
    );
  }

  private approve(p: URLSearchParams, res: http.ServerResponse): void {
    const email = (p.get('login') ?? p.get('login_hint') ?? 'rep@example.com').toLowerCase();
    this.signedIn = email;
    // A new sign-in with consent: the rep's earlier revocation no longer applies to what is issued now.
    redirectTo(res, this.issueCode(p, email));
  }

  private issueCode(p: URLSearchParams, email: string): string {
    const code = `0.AX-fake-code-${++this.counter}-${crypto.randomBytes(12).toString('hex')}`;
    this.codes.set(code, {
      clientId: p.get('client_id') ?? '',
      redirectUri: p.get('redirect_uri') ?? '',
      challenge: p.get('code_challenge') ?? '',
      scopes: (p.get('scope') ?? '').split(' ').filter(Boolean),
      email,
      expiresAt: Date.now() + 10 * 60_000,
      used: false,
    });
    return `${p.get('redirect_uri')}?${new URLSearchParams({ code, state: p.get('state') ?? '', session_state: crypto.randomUUID() })}`;
  }

  private async token(p: URLSearchParams, res: http.ServerResponse): Promise<void> {
    const grantType = p.get('grant_type') ?? '';
    const answer = (status: number, body: Record<string, unknown>) => {
      this.tokenRequests.push({ grantType, status, at: Date.now(), ...(typeof body.error === 'string' ? { error: body.error } : {}) });
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, err: string, aad: number, text: string) =>
      answer(status, { error: err, error_description: `AADSTS${aad}: ${text}\r\nTrace ID: ${crypto.randomUUID()}\r\nCorrelation ID: ${crypto.randomUUID()}`, error_codes: [aad], timestamp: new Date().toISOString() });
    if (this.tokenDelayMs) await new Promise((r) => setTimeout(r, this.tokenDelayMs));
    const fault = this.faults.shift();
    if (fault) return answer(fault.status, fault.body as Record<string, unknown>);
    if (p.get('client_id') !== this.clientId) return error(400, 'unauthorized_client', 700016, 'Application not found in the directory.');
    const secret = p.get('client_secret');
    if (this.clientSecret && secret !== this.clientSecret) return error(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
    if (!this.clientSecret && secret) return error(400, 'invalid_request', 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.");

    if (grantType === 'authorization_code') {
      const code = this.codes.get(p.get('code') ?? '');
      if (!code) return error(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
      if (code.used) return error(400, 'invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.');
      if (code.expiresAt < Date.now()) return error(400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity.');
      if (code.redirectUri !== p.get('redirect_uri')) return error(400, 'invalid_grant', 50148, 'The redirect_uri does not match the one used in the authorization request.');
      const verifier = p.get('code_verifier') ?? '';
      if (b64url(crypto.createHash('sha256').update(verifier).digest()) !== code.challenge) {
        return error(400, 'invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.');
      }
      code.used = true;
      return answer(200, this.issueTokens(code.email, code.scopes, true));
    }
    if (grantType === 'refresh_token') {
      const token = p.get('refresh_token') ?? '';
      const r = this.refresh.get(token);
      if (!r) return error(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
      if (r.revoked) return error(400, 'invalid_grant', 50173, 'The provided grant has expired due to it being revoked, a fresh auth token is needed.');
      if (r.used) return error(400, 'invalid_grant', 70000, 'The provided value for the refresh_token is not valid (already used).');
      r.used = true;
      return answer(200, this.issueTokens(r.email, r.scopes, false));
    }
    return error(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
  }

  private issueTokens(email: string, requested: string[], withIdToken: boolean): Record<string, unknown> {
    const resourceScopes = requested.filter((s) => /^https:\/\//.test(s));
    const accessToken = `eyJ0eXAi.fake-access-${++this.counter}-${crypto.randomBytes(16).toString('hex')}`;
    this.access.set(accessToken, { email, scopes: resourceScopes, expiresAt: Date.now() + this.expiresIn * 1000, revoked: false });
    const body: Record<string, unknown> = {
      token_type: 'Bearer',
      scope: resourceScopes.join(' '),
      expires_in: this.expiresIn,
      ext_expires_in: this.expiresIn,
      access_token: accessToken,
    };
    if (this.grantOfflineAccess) {
      const refreshToken = `1.AX-fake-refresh-${++this.counter}-${crypto.randomBytes(16).toString('hex')}`;
      this.refresh.set(refreshToken, { email, scopes: [...resourceScopes, 'offline_access'], used: false, revoked: false });
      body.refresh_token = refreshToken;
    }
    if (withIdToken && requested.includes('openid')) body.id_token = this.idToken(email);
    return body;
  }

  private idToken(email: string): string {
    let oid = this.oids.get(email);
    if (!oid) this.oids.set(email, (oid = crypto.randomUUID()));
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      aud: this.clientId,
      iss: `https://login.microsoftonline.com/${this.tenantId}/v2.0`,
      iat: now,
      nbf: now,
      exp: now + 3600,
      email,
      name: email.split('@')[0],
      oid,
      preferred_username: email,
      sub: `sub-${oid}`,
      tid: this.tenantId,
      ver: '2.0',
    };
    const head = b64url(Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: 'fake' })));
    const body = b64url(Buffer.from(JSON.stringify(claims)));
    return `${head}.${body}.${b64url(crypto.sign('sha256', Buffer.from(`${head}.${body}`), this.key.privateKey))}`;
  }
}

function redirectTo(res: http.ServerResponse, location: string): void {
  res.writeHead(302, { location });
  res.end();
}

function page(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><title>Sign in to your account</title><h1>Sorry, but we're having trouble signing you in.</h1><p>${escapeHtml(text)}</p>`);
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
