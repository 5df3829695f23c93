/**
 * Who signed in, from the id_token the token endpoint returned. The relay
 * received it directly from Microsoft over TLS in answer to its own request,
 * so (as OpenID Connect Core 3.1.3.7 allows) the signature is not checked;
 * what must hold is that it was issued to our client.
 */
export interface MicrosoftIdentity {
  /** Directory tenant id (`tid`): refreshes go to this tenant. */
  tenantId: string | undefined;
  /** Object id (`oid`) or subject: the same person on reconnect. */
  subject: string;
  /** Every address the token names (email, preferred_username, upn), lower-case. */
  addresses: string[];
}

export class IdentityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdentityError';
  }
}

export function decodeJwtClaims(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1];
  if (!part) throw new IdentityError('the id_token is malformed');
  try {
    const claims: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (!claims || typeof claims !== 'object' || Array.isArray(claims)) throw new Error('not an object');
    return claims as Record<string, unknown>;
  } catch {
    throw new IdentityError('the id_token is malformed');
  }
}

const ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function identityFrom(idToken: string | undefined, clientId: string, now: number): MicrosoftIdentity {
  if (!idToken) throw new IdentityError('Microsoft returned no id_token (the openid scope was not granted)');
  const claims = decodeJwtClaims(idToken);
  const aud = claims.aud;
  if (aud !== clientId && !(Array.isArray(aud) && aud.includes(clientId))) throw new IdentityError('the id_token was issued to another application');
  if (typeof claims.exp === 'number' && claims.exp * 1000 < now - 5 * 60_000) throw new IdentityError('the id_token has expired');
  const subject = typeof claims.oid === 'string' ? claims.oid : typeof claims.sub === 'string' ? claims.sub : '';
  if (!subject) throw new IdentityError('the id_token names no account');
  const addresses = [...new Set(['email', 'preferred_username', 'upn'].map((k) => claims[k]).filter((v): v is string => typeof v === 'string' && ADDRESS.test(v)).map((v) => v.toLowerCase()))];
  return { tenantId: typeof claims.tid === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(claims.tid) ? claims.tid : undefined, subject, addresses };
}

/**
 * The mailbox to send as. An Office 365 channel is personal and its From must
 * be the relay token's own address, so the Microsoft account must be that
 * address (as email, UPN or preferred user name). Null when it is not.
 */
export function mailboxFor(identity: MicrosoftIdentity, tokenEmail: string): string | null {
  const wanted = tokenEmail.toLowerCase();
  return identity.addresses.includes(wanted) ? wanted : null;
}
