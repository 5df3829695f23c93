import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { Outbox, outcomeOf, type OutboxItem } from './outbox';

const T0 = Date.UTC(2026, 0, 5, 9);
const item = (id: string, over: Partial<OutboxItem> = {}): OutboxItem => ({
  id, idempotencyKey: `key-${id}`, account: 'rep@example.com', status: 'queued', createdAt: T0, updatedAt: T0,
  attempts: 0, messageId: `<${id}@example.com>`, subject: 's', to: ['a@example.org'], recipients: 1, ...over,
});

describe('Gmail outbox', () => {
  beforeEach(() => fakeBrowser.reset());

  it('claims a key once; a retryable failure may be claimed again under the same id', async () => {
    const outbox = new Outbox();
    expect((await outbox.claim(item('a'), T0)).existing).toBe(false);
    expect(await outbox.claim(item('b', { idempotencyKey: 'key-a' }), T0)).toMatchObject({ existing: true, item: { id: 'a' } });
    await outbox.update('a', { status: 'failed', retryable: true, errorCode: 'daily_limit', error: 'later' }, T0);
    expect(await outbox.claim(item('c', { idempotencyKey: 'key-a' }), T0)).toMatchObject({ existing: false, item: { id: 'a', status: 'queued' } });
    await outbox.update('a', { status: 'failed', retryable: false, errorCode: 'uncertain', error: 'maybe sent' }, T0);
    expect(await outbox.claim(item('d', { idempotencyKey: 'key-a' }), T0)).toMatchObject({ existing: true });
  });

  it('gives due items oldest first and the next time to wake up', async () => {
    const outbox = new Outbox();
    await outbox.claim(item('late', { status: 'scheduled', sendAt: T0 + 3000 }), T0);
    await outbox.claim(item('soon', { nextAttemptAt: T0 + 1000 }), T0);
    await outbox.claim(item('done', { status: 'sent' }), T0);
    expect(await outbox.nextDue()).toBe(T0 + 1000);
    expect((await outbox.due(T0 + 5000)).map((i) => i.id)).toEqual(['soon', 'late']);
    expect(await outbox.due(T0)).toEqual([]);
  });

  it('keeps a pending draft until the item is finished', async () => {
    const outbox = new Outbox();
    await outbox.claim(item('a', { status: 'scheduled' }), T0);
    await outbox.saveDraft('a', { to: ['a@example.org'], subject: 's', text: 't' });
    expect(await outbox.draft('a')).toMatchObject({ subject: 's' });
    await outbox.update('a', { status: 'sent', sentAt: T0 }, T0);
    expect(await outbox.draft('a')).toBeUndefined();
  });

  it('forgets finished items after a week, never pending ones', async () => {
    const outbox = new Outbox();
    await outbox.claim(item('old', { status: 'sent', updatedAt: T0 }), T0);
    await outbox.claim(item('waiting', { status: 'scheduled', sendAt: T0 + 30 * 86400_000 }), T0);
    await outbox.claim(item('new'), T0 + 8 * 86400_000);
    expect((await outbox.list()).map((i) => i.id).sort()).toEqual(['new', 'waiting']);
  });

  it('turns records into send outcomes', () => {
    expect(outcomeOf(item('a', { status: 'sent', threadId: 't' }))).toEqual({ ok: true, id: 'a', status: 'sent', messageId: '<a@example.com>', threadId: 't' });
    expect(outcomeOf(item('a', { status: 'failed', errorCode: 'rejected', error: 'no' }))).toEqual({ ok: false, code: 'rejected', message: 'no' });
  });
});
