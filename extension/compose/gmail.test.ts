import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JSDOM } from 'jsdom';
import { gmailAdapter, createGmailDriver } from './gmail';
import type { ComposeView } from './driver';
import { COMPOSE_ATTR } from './watcher';
import { loadFixture } from './testing/jsdom';

interface GmailFixture {
  open(o: object): string;
  rerender(id?: string): void;
  addRecipient(id: string, kind: string, p: { name: string; address: string }): void;
  ids(): string[];
  log: { event: string; id: string }[];
}

const URL = 'https://mail.google.com/mail/u/0/';
let dom: JSDOM | undefined;
const stop = new AbortController();
afterEach(() => {
  dom?.window.close();
});

function page(variant: 'current' | 'legacy', query = '') {
  dom = loadFixture(`gmail/${variant}.html`, `${URL}${query}#inbox/FMfcgzQ`);
  const doc = dom.window.document;
  const fixture = (dom.window as unknown as { gmailFixture: GmailFixture }).gmailFixture;
  return { doc, fixture, win: dom.window };
}

describe.each(['current', 'legacy'] as const)('Gmail adapter, %s compose DOM', (variant) => {
  it('finds the inline reply and the pop-out compose, scoped to each', () => {
    const { doc } = page(variant);
    const roots = gmailAdapter.findComposeRoots(doc);
    expect(roots).toHaveLength(2);
    const [reply, popout] = roots as [Element, Element];
    expect(gmailAdapter.isInlineReply(reply)).toBe(true);
    expect(gmailAdapter.isInlineReply(popout)).toBe(false);
    // Each root holds its own subject: the hidden inline-reply subject never leaks into the pop-out.
    expect(gmailAdapter.subjectInput(reply)?.value).toBe('Re: Pilot for Acme Corp');
    expect(gmailAdapter.subjectInput(popout)?.value).toBe('Intro');
  });

  it('reads recipients with names, addresses and kinds', () => {
    const { doc } = page(variant);
    const [reply, popout] = gmailAdapter.findComposeRoots(doc) as [Element, Element];
    expect(gmailAdapter.recipients(reply)).toEqual([
      { kind: 'to', name: 'Jane Doe', address: 'jane.doe@acme-corp.com' },
      { kind: 'cc', name: 'Bob Stone', address: 'bob@acme-corp.com' },
    ]);
    expect(gmailAdapter.recipients(popout)).toEqual([
      { kind: 'to', name: 'Ada Lovelace', address: 'ada@analytical-engines.co.uk' },
      { kind: 'to', name: '', address: 'grace@navy.example.com' },
      { kind: 'bcc', name: 'CRM Dropbox', address: 'dropbox@crm.example.com' },
    ]);
  });

  it('reads the thread participants of an inline reply only', () => {
    const { doc } = page(variant);
    const [reply, popout] = gmailAdapter.findComposeRoots(doc) as [Element, Element];
    expect(gmailAdapter.threadParticipants(reply)).toEqual([
      { name: 'Jane Doe', address: 'jane.doe@acme-corp.com' },
      { name: 'me', address: 'rep@example.com' },
      { name: 'Bob Stone', address: 'bob@acme-corp.com' },
    ]);
    expect(gmailAdapter.threadParticipants(popout)).toEqual([]);
  });

  it('mounts after the bottom toolbar that holds Send', () => {
    const { doc } = page(variant);
    const [, popout] = gmailAdapter.findComposeRoots(doc) as [Element, Element];
    const point = gmailAdapter.mountPoint(popout)!;
    expect(point.append).toBe('after');
    expect(point.element.querySelector('.gU.Up [role=button]')).not.toBeNull();
  });
});

describe('Gmail legacy fields', () => {
  it('counts an address typed into the textarea before it became a chip', () => {
    const { doc } = page('legacy');
    const [, popout] = gmailAdapter.findComposeRoots(doc) as [Element, Element];
    const textarea = popout.querySelector<HTMLTextAreaElement>('textarea[name=to]')!;
    textarea.value = 'Zed Ray <zed@example.org>, ';
    expect(gmailAdapter.recipients(popout).map((r) => r.address)).toContain('zed@example.org');
  });
});

describe('Gmail compose view', () => {
  function observe(doc: Document) {
    const views: ComposeView[] = [];
    createGmailDriver(doc).observe((v) => views.push(v), stop.signal);
    return views;
  }

  it('writes subject and body into the page, keeping the signature and building nodes', () => {
    const { doc } = page('current');
    const [, view] = observe(doc) as [ComposeView, ComposeView];
    view.setSubject('Hello {{ first_name }}');
    view.setBody('Line one\n\n<b>not markup</b>');
    const root = doc.querySelector('[data-fixture-compose="c2"]')!;
    expect(root.querySelector<HTMLInputElement>('input[name=subjectbox]')!.value).toBe('Hello {{ first_name }}');
    const editor = root.querySelector('[g_editable]')!;
    expect(editor.querySelector('b')).toBeNull();
    expect(editor.querySelector('.gmail_signature')).not.toBeNull();
    expect(view.getBody().text).toBe('Line one\n\n<b>not markup</b>\n\n-- \nRep Example, Example Inc.');
    expect(view.getBody().html).toContain('&lt;b&gt;not markup&lt;/b&gt;');
  });

  it('reports composes opened later once, after Gmail fills them in stages', async () => {
    const { doc, fixture } = page('current', '?empty=1');
    const views = observe(doc);
    expect(views).toHaveLength(0);
    fixture.open({ to: [{ name: 'Late Comer', address: 'late@example.com' }], subject: 'Later' });
    fixture.open({ to: [{ name: 'Second', address: 'second@example.com' }] });
    await vi.waitFor(() => expect(views.map((v) => v.getRecipients().map((r) => r.address))).toEqual([['late@example.com'], ['second@example.com']]));
    expect(views[0]!.getSubject()).toBe('Later');
  });

  it('keeps the same view when Gmail re-renders the compose, and sees new recipients', async () => {
    const { doc, fixture } = page('current');
    const views = observe(doc);
    const popout = views[1]!;
    const removed = vi.fn();
    const changed = vi.fn();
    popout.on('removed', removed);
    popout.on('change', changed);
    const before = doc.querySelector('[data-fixture-compose="c2"] .M9');
    fixture.rerender();
    fixture.addRecipient('c2', 'cc', { name: 'New Person', address: 'new@example.com' });
    await vi.waitFor(() => expect(changed).toHaveBeenCalled());
    expect(doc.querySelector('[data-fixture-compose="c2"] .M9')).not.toBe(before);
    expect(doc.querySelector('[data-fixture-compose="c2"] .M9')!.getAttribute(COMPOSE_ATTR)).toBe(popout.id);
    expect(popout.getRecipients().map((r) => r.address)).toContain('new@example.com');
    await new Promise((r) => setTimeout(r, 600));
    expect(removed).not.toHaveBeenCalled();
    expect(views).toHaveLength(2);
  });

  it('emits send for the webmail Send button and removed when the compose goes', async () => {
    const { doc } = page('current');
    const [reply] = observe(doc) as [ComposeView];
    const send = vi.fn();
    const removed = vi.fn();
    reply.on('send', send);
    reply.on('removed', removed);
    const button = doc.querySelector('[data-fixture-compose="c1"] .gU.Up [role=button]') as HTMLElement;
    for (const type of ['mousedown', 'mouseup', 'click']) button.dispatchEvent(new doc.defaultView!.MouseEvent(type, { bubbles: true }));
    expect(send).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(removed).toHaveBeenCalledTimes(1), { timeout: 2000 });
    expect(reply.signal.aborted).toBe(true);
  });

  it('discards the draft with Gmail’s own button', async () => {
    const { doc, fixture } = page('legacy');
    const [, popout] = observe(doc) as [ComposeView, ComposeView];
    const close = vi.fn();
    popout.on('close', close);
    await expect(popout.discard()).resolves.toBe(true);
    expect(close).toHaveBeenCalledTimes(1);
    expect(fixture.log).toEqual([expect.objectContaining({ event: 'discard', id: 'c2' })]);
  });

  it('uses one MutationObserver for the page however many composes open', () => {
    const { doc, fixture, win } = page('current');
    const Original = win.MutationObserver;
    let count = 0;
    win.MutationObserver = class extends Original {
      constructor(cb: MutationCallback) {
        super(cb);
        count++;
      }
    } as typeof MutationObserver;
    observe(doc);
    fixture.open({ staged: false, to: [] });
    fixture.open({ staged: false, to: [] });
    expect(count).toBe(1);
  });
});
