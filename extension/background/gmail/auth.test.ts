import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { GmailAuth, SignInRequired } from './auth';
import { fakeClock, fakeGoogleFlow, REDIRECT, testConfig } from './test-kit';

function setup(signedIn: string | undefined = 'rep@example.com') {
  const clock = fakeClock();
  const flow = fakeGoogleFlow(clock.now, signedIn);
  const revoked: string[] = [];
  const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
    revoked.push(new URLSearchParams(String(init?.body)).get('token')!);
    return new Response('{}', { status: 200 });
  }) as unknown as typeof globalThis.fetch;
  const auth = new GmailAuth({ launchWebAuthFlow: flow.launch, redirectUrl: () => REDIRECT, fetch, now: clock.now, config: async () => testConfig() });
  return { clock, flow, auth, revoked };
}

describe('Gmail sign-in', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    fakeBrowser.i18n.getMessage = ((key: string) => key) as typeof fakeBrowser.i18n.getMessage;
  });

  it('connects interactively and keeps the token in session storage only', async () => {
    const { auth, flow } = setup();
    const account = await auth.connect();
    expect(account).toMatchObject({ email: 'rep@example.com', needsSignIn: false });
    expect(flow.launches[0]!.interactive).toBe(true);
    expect(flow.launches[0]!.url.searchParams.get('prompt')).toBe('select_account');
    expect((await fakeBrowser.storage.session.get('gmail.token'))['gmail.token']).toMatchObject({ accessToken: 'tok-1' });
    expect(JSON.stringify(await fakeBrowser.storage.local.get(null))).not.toContain('tok-1');
    expect(await auth.accessToken()).toBe('tok-1');
  });

  it('renews silently, for the same account, before the token expires', async () => {
    const { auth, flow, clock } = setup();
    await auth.connect();
    clock.advance(54 * 60_000);
    expect(await auth.accessToken()).toBe('tok-1');
    clock.advance(2 * 60_000); // inside the last five minutes
    expect(await auth.accessToken()).toBe('tok-2');
    const silent = flow.launches[1]!;
    expect(silent.interactive).toBe(false);
    expect(silent.url.searchParams.get('prompt')).toBe('none');
    expect(silent.url.searchParams.get('login_hint')).toBe('rep@example.com');
  });

  it('shares one renewal between concurrent callers', async () => {
    const { auth, flow, clock } = setup();
    await auth.connect();
    clock.advance(3600_000);
    const tokens = await Promise.all([auth.accessToken(), auth.accessToken(), auth.accessToken()]);
    expect(new Set(tokens)).toEqual(new Set(['tok-2']));
    expect(flow.launches).toHaveLength(2);
  });

  it('after a 401 renews once; when Google wants the rep, marks needsSignIn', async () => {
    const { auth, flow } = setup();
    await auth.connect();
    expect(await auth.renewAfterUnauthorized('tok-1')).toBe('tok-2');
    flow.signedIn = undefined; // signed out of Google in this browser
    await expect(auth.renewAfterUnauthorized('tok-2')).rejects.toBeInstanceOf(SignInRequired);
    expect((await auth.account())!.needsSignIn).toBe(true);
    await expect(auth.accessToken()).rejects.toMatchObject({ code: 'needs_sign_in' });
    // Connecting again clears it.
    await auth.connect();
    expect((await auth.account())!.needsSignIn).toBe(false);
  });

  it('never switches accounts silently', async () => {
    const { auth, flow } = setup();
    await auth.connect();
    flow.signedIn = 'someone.else@example.com';
    await expect(auth.renewAfterUnauthorized('tok-1')).rejects.toMatchObject({ code: 'needs_sign_in' });
    expect((await auth.account())!.email).toBe('rep@example.com');
  });

  it('explains a closed window and a refusal', async () => {
    const { auth, flow } = setup();
    flow.deny = 'window_closed';
    await expect(auth.connect()).rejects.toMatchObject({ code: 'cancelled' });
    flow.deny = 'access_denied';
    await expect(auth.connect()).rejects.toMatchObject({ code: 'access_denied' });
    expect(await auth.account()).toBeUndefined();
  });

  it('sign out revokes the token at Google and forgets it', async () => {
    const { auth, revoked } = setup();
    await auth.connect();
    expect(await auth.disconnect()).toEqual({ revoked: true });
    expect(revoked).toEqual(['tok-1']);
    expect(await auth.account()).toBeUndefined();
    expect((await fakeBrowser.storage.session.get('gmail.token'))['gmail.token']).toBeUndefined();
    await expect(auth.accessToken()).rejects.toMatchObject({ code: 'needs_sign_in' });
  });
});
