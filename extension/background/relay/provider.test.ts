import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startRelay, smtpChannel, createChannel, waitForStatus, type RunningRelay } from '../../../test/helpers/relay';
import { TestSmtpServer } from '../../../test/helpers/smtp-server';
import { useLocale } from '../../popup/testing/i18n';
import { createRelayProvider, mapLimit } from './provider';
import { fromViewId, toViewId } from './map';

// These talk to a real relay that delivers to a real SMTP server: allow for a busy machine.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

// The vault needs IndexedDB and a non-extractable WebCrypto key (a browser); its own tests live with it.
const secrets = new Map<string, string>();
vi.mock('../vault', () => ({
  setSecret: async (name: string, value: string) => void secrets.set(name, value),
  getSecret: async (name: string) => secrets.get(name),
  deleteSecret: async (name: string) => void secrets.delete(name),
}));

describe('relay delivery provider', () => {
  let relay: RunningRelay;
  let smtp: TestSmtpServer;
  let token: string;
  let channelId: string;
  const provider = createRelayProvider();

  beforeAll(async () => {
    smtp = await new TestSmtpServer().start();
    relay = await startRelay();
    token = await relay.createToken('rep@example.com');
    channelId = await createChannel(relay, token, smtpChannel(smtp.port, { name: 'Acme SMTP' }));
  });
  afterAll(async () => {
    await relay?.stop();
    await smtp?.stop();
  });
  beforeEach(async () => {
    fakeBrowser.reset();
    secrets.clear();
    await useLocale('en');
    fakeBrowser.permissions.contains = async () => true;
    await fakeBrowser.storage.local.set({ settings: { relayUrl: relay.url } });
    secrets.set('relayToken', token);
  });

  it('owns exactly the relay: ids', () => {
    expect(provider.owns(toViewId('ch_abc'))).toBe(true);
    expect(provider.owns('gmail')).toBe(false);
    expect(provider.owns('relay:')).toBe(false);
    expect(fromViewId('relay:ch_abc')).toBe('ch_abc');
  });

  it('lists nothing until a relay and a token are set up', async () => {
    secrets.clear();
    expect(await provider.listChannels()).toEqual([]);
  });

  it('lists relay channels with their live limits, and the gauges move after a send', async () => {
    const before = (await provider.listChannels()).find((c) => c.id === toViewId(channelId));
    expect(before).toMatchObject({
      kind: 'smtp',
      name: 'Acme SMTP',
      scope: 'personal',
      account: 'rep@example.com',
      status: 'ready',
      limits: { perMinute: { limit: null, used: 0 }, perDay: { limit: null, unit: 'messages' }, queued: 0 },
    });

    const [outcome] = await provider.send(
      toViewId(channelId),
      [{ idempotencyKey: 'provider-test-1', draft: { to: ['lead@example.org'], subject: 'Gauge test', text: 'Hi' } }],
      {},
    );
    expect(outcome).toMatchObject({ ok: true, status: 'queued' });
    await waitForStatus(relay, token, (outcome as { id: string }).id, ['sent']);
    const arrived = smtp.received.find((r) => r.parsed.subject === 'Gauge test');
    // `from` was filled in from the token's owner.
    expect(arrived?.envelope.from).toBe('rep@example.com');

    const after = (await provider.listChannels()).find((c) => c.id === toViewId(channelId));
    expect(after?.limits).toMatchObject({ perMinute: { used: 1 }, perDay: { used: 1 }, sent: 1 });
  });

  it('never sends twice for the same idempotency key', async () => {
    const item = { idempotencyKey: 'provider-twice', draft: { to: ['twice@example.org'], subject: 'Twice?', text: 'x' } };
    const [a] = await provider.send(toViewId(channelId), [item], {});
    const [b] = await provider.send(toViewId(channelId), [item], {});
    expect(a).toMatchObject({ ok: true });
    expect((b as { id: string }).id).toBe((a as { id: string }).id);
  });

  it('answers each message of a batch on its own, naming what was wrong', async () => {
    const results = await provider.send(
      toViewId(channelId),
      [
        { idempotencyKey: 'batch-ok-1', draft: { to: ['one@example.org'], subject: 'One', text: 'x' } },
        { idempotencyKey: 'batch-bad-1', draft: { from: 'someone.else@other.org', to: ['two@example.org'], subject: 'Two', text: 'x' } },
      ],
      {},
    );
    expect(results[0]).toMatchObject({ ok: true });
    expect(results[1]).toMatchObject({ ok: false, code: 'forbidden' });
  });

  it('schedules with sendAt', async () => {
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    const [r] = await provider.send(
      toViewId(channelId),
      [{ idempotencyKey: 'provider-later', draft: { to: ['later@example.org'], subject: 'Later', text: 'x' } }],
      { sendAt },
    );
    expect(r).toMatchObject({ ok: true, status: 'scheduled' });
  });

  it('hides channel kinds the organisation does not allow', async () => {
    await fakeBrowser.storage.managed.set({ allowedChannels: ['office365'] });
    expect((await provider.listChannels()).some((c) => c.id === toViewId(channelId))).toBe(false);
  });

  it('keeps showing known channels as signed out when the token is refused', async () => {
    await provider.listChannels();
    secrets.set('relayToken', 'revoked-token-value');
    const [view] = await provider.listChannels();
    expect(view).toMatchObject({ status: 'signed_out', statusMessage: expect.stringContaining('refused your access token') });
  });

  it('says the browser permission is missing when that is why the relay cannot be reached', async () => {
    const gone = 'http://127.0.0.1:9';
    await fakeBrowser.storage.local.set({
      settings: { relayUrl: gone },
      'relay:channels': {
        url: gone,
        views: [{ id: 'relay:ch_x', kind: 'smtp', name: 'X', scope: 'personal', status: 'ready', limits: emptyLimits() }],
      },
    });
    fakeBrowser.permissions.contains = async () => false;
    const [view] = await provider.listChannels();
    expect(view).toMatchObject({
      id: 'relay:ch_x',
      status: 'unreachable',
      statusMessage: expect.stringContaining('not allowed to reach 127.0.0.1:9'),
    });
  });
});

describe('mapLimit', () => {
  it('keeps order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n * 3));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});

function emptyLimits() {
  return {
    perMinute: { limit: null, used: 0 },
    perDay: { limit: null, used: 0, unit: 'messages' as const },
    perMessage: null,
    nextSlotAt: new Date().toISOString(),
    queued: 0,
    sent: 0,
    failed: 0,
  };
}
