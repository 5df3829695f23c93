/**
 * PKCE (RFC 7636) for the Microsoft authorization-code flow: a random
 * verifier the relay later proves it holds, and its S256 challenge, which is
 * all that goes into the sign-in URL. Web Crypto only (service worker).
 */
const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** 32 random bytes → 43 characters of [A-Za-z0-9-_]. */
export function newVerifier(): string {
  return b64url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function challengeFor(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return b64url(new Uint8Array(digest));
}

/** An opaque value tying the redirect to this request. */
export function newState(): string {
  return b64url(crypto.getRandomValues(new Uint8Array(16)));
}
