import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JSDOM } from 'jsdom';
import { outlookAdapter, createOutlookDriver } from './outlook';
import type { ComposeView } from './driver';
import { loadFixture } from './testing/jsdom';

interface OutlookFixture {
  open(o: object): string;
  rerender(id?: string): void;
  addRecipient(id: string, kind: string, p: { name: string; address: string }): void;
  state(id: string): { subject: string };
  log: { event: string; id: string }[];
}

let dom: JSDOM | undefined;
const stop = new AbortController();
afterEach(() => dom?.window.close());

function page(variant: 'current' | 'legacy', query = '') {
  dom = loadFixture(`outlook/${variant}.html`, `https://outlook.office.com/mail/inbox/id/AAQk${query}`);
  const doc = dom.window.document;
  const fixture = (dom.window as unknown as { outlookFixture: OutlookFixture }).outlookFixture;
  const views: ComposeView[] = [];
  createOutlookDriver(doc).observe((v) => views.push(v), stop.signal);
  return { doc, fixture, views };
}

describe.each(['current', 'legacy'] as const)('Outlook adapter, %s build', (variant) => {
  it('finds the inline reply with its pills, subject and thread', () => {
    const { doc } = page(variant);
    const [root] = outlookAdapter.findComposeRoots(doc) as [Element];
    expect(outlookAdapter.recipients(root)).toEqual([
      { kind: 'to', name: 'Jane Doe', address: 'jane.doe@acme-corp.com' },
      { kind: 'cc', name: 'Bob Stone', address: 'bob@acme-corp.com' },
    ]);
    expect(outlookAdapter.subjectInput(root)?.value).toBe('RE: Pilot for Acme Corp');
    expect(outlookAdapter.isInlineReply(root)).toBe(true);
    expect(outlookAdapter.threadParticipants(root)).toEqual([
      { name: 'Jane Doe', address: 'jane.doe@acme-corp.com' },
      { name: 'Rep Example', address: 'rep@example.com' },
      { name: 'Bob Stone', address: 'bob@acme-corp.com' },
    ]);
    expect(outlookAdapter.identity(root)).toMatch(/^owa:MSG_/);
  });

  it('finds a new message opened later, not as a reply', async () => {
    const { fixture, views } = page(variant);
    fixture.open({ to: [{ name: '', address: 'new@example.com' }, { name: 'Kim', address: 'kim@globex.io' }], bcc: [{ name: '', address: 'log@crm.example.com' }] });
    await vi.waitFor(() => expect(views).toHaveLength(2));
    const view = views[1]!;
    expect(view.isInlineReply()).toBe(false);
    expect(view.getThreadParticipants()).toEqual([]);
    expect(view.getRecipients()).toEqual([
      { kind: 'to', name: '', address: 'new@example.com' },
      { kind: 'to', name: 'Kim', address: 'kim@globex.io' },
      { kind: 'bcc', name: '', address: 'log@crm.example.com' },
    ]);
  });

  it('writes the React-controlled subject so it survives a re-render', () => {
    const { doc, fixture, views } = page(variant);
    const [view] = views as [ComposeView];
    view.setSubject('Pricing for {{ company }}');
    fixture.rerender();
    expect(fixture.state('o1').subject).toBe('Pricing for {{ company }}');
    expect(view.getSubject()).toBe('Pricing for {{ company }}');
    // A plain .value assignment is what React ignores: the fixture must model that.
    const input = outlookAdapter.subjectInput(outlookAdapter.findComposeRoots(doc)[0]!)!;
    input.value = 'ignored';
    input.dispatchEvent(new doc.defaultView!.Event('input', { bubbles: true }));
    fixture.rerender();
    expect(view.getSubject()).toBe('Pricing for {{ company }}');
  });

  it('replaces the body text but keeps the signature', () => {
    const { views } = page(variant);
    const [view] = views as [ComposeView];
    view.setBody('Hi {{ first_name }},\nSee attached.');
    expect(view.getBody().text).toBe('Hi {{ first_name }},\nSee attached.\n\nRep Example | Example Inc.');
  });

  it('mounts between the header fields and the body', () => {
    const { doc } = page(variant);
    const [root] = outlookAdapter.findComposeRoots(doc) as [Element];
    const point = outlookAdapter.mountPoint(root)!;
    expect(point.append).toBe('before');
    expect(point.element.id).toMatch(/^editorParent_/);
  });

  it('discards the draft, confirming where OWA asks', async () => {
    const { fixture, views } = page(variant);
    const removed = vi.fn();
    views[0]!.on('removed', removed);
    await expect(views[0]!.discard()).resolves.toBe(true);
    expect(fixture.log).toEqual([expect.objectContaining({ event: 'discard', id: 'o1' })]);
    await vi.waitFor(() => expect(removed).toHaveBeenCalledTimes(1));
  });

  it('emits send for the webmail’s Send button and keeps the view across re-renders', async () => {
    const { doc, fixture, views } = page(variant);
    const [view] = views as [ComposeView];
    const removed = vi.fn();
    view.on('removed', removed);
    fixture.rerender();
    fixture.addRecipient('o1', 'to', { name: 'Added Later', address: 'added@example.com' });
    await new Promise((r) => setTimeout(r, 500));
    expect(removed).not.toHaveBeenCalled();
    expect(views).toHaveLength(1);
    expect(view.getRecipients().map((r) => r.address)).toContain('added@example.com');
    const send = vi.fn();
    view.on('send', send);
    const button = doc.querySelector('[data-fixture-compose=o1] button[aria-label=Send], [data-fixture-compose=o1] button[name=Send]')!;
    for (const type of ['mousedown', 'mouseup', 'click']) button.dispatchEvent(new doc.defaultView!.MouseEvent(type, { bubbles: true }));
    expect(send).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(removed).toHaveBeenCalledTimes(1), { timeout: 2000 });
  });
});
