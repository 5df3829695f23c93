import type { ComposeAdapter } from './adapter';
import type { Person, Recipient, RecipientKind } from './driver';
import { cleanName, closestContaining, EMAIL_IN_TEXT, pressButton, uniquePeople } from './dom';
import { OUTLOOK } from './outlook-selectors';
import { createComposeDriver } from './watcher';

const GROUPS: [RecipientKind, 'TO' | 'CC' | 'BCC'][] = [
  ['to', 'TO'],
  ['cc', 'CC'],
  ['bcc', 'BCC'],
];

function readGroup(root: Element, kind: RecipientKind, suffix: 'TO' | 'CC' | 'BCC'): Recipient[] {
  const group = root.querySelector(OUTLOOK.group(suffix));
  if (!group) return [];
  const people: Recipient[] = [];
  for (const pill of group.querySelectorAll(OUTLOOK.pill)) {
    const label = pill.getAttribute('aria-label') ?? '';
    const address = (label.match(EMAIL_IN_TEXT)?.[0] ?? '').toLowerCase();
    if (!address) continue;
    people.push({ kind, address, name: cleanName(pill.textContent, address) });
  }
  // A typed address not yet resolved into a pill is plain text in the well.
  const copy = group.cloneNode(true) as Element;
  for (const pill of copy.querySelectorAll(OUTLOOK.pill)) pill.remove();
  for (const address of copy.textContent?.match(EMAIL_IN_TEXT) ?? []) people.push({ kind, address: address.toLowerCase(), name: '' });
  return people;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const outlookAdapter: ComposeAdapter = {
  webmail: 'outlook',

  findComposeRoots(doc) {
    const roots = new Set<Element>();
    for (const body of doc.querySelectorAll(OUTLOOK.body)) {
      const root = closestContaining(body, [OUTLOOK.anyGroup, OUTLOOK.send, OUTLOOK.subject]);
      if (root) roots.add(root);
    }
    return [...roots];
  },

  identity(root) {
    // "MSG_15127c3b5a0_TO" → the per-compose prefix, kept by OWA across re-renders.
    const id = root.querySelector(OUTLOOK.anyGroup)?.id ?? '';
    const prefix = id.replace(/_TO$/, '');
    return prefix ? `owa:${prefix}` : null;
  },

  isInlineReply(root) {
    // Inline replies sit in the reading pane under the conversation they answer.
    return !!root.closest(OUTLOOK.readingPane) && this.threadParticipants(root).length > 0;
  },

  recipients(root) {
    return uniquePeople(GROUPS.flatMap(([kind, suffix]) => readGroup(root, kind, suffix)));
  },

  subjectInput: (root) => root.querySelector<HTMLInputElement>(OUTLOOK.subject),
  bodyEditor: (root) => root.querySelector<HTMLElement>(OUTLOOK.body),
  preservedBodyParts: (editor) => [...editor.querySelectorAll(OUTLOOK.preserved)],

  threadParticipants(root) {
    const pane = root.closest(OUTLOOK.readingPane);
    if (!pane) return [];
    const people: Person[] = [];
    for (const el of pane.querySelectorAll(OUTLOOK.threadPeople)) {
      if (root.contains(el)) continue;
      const attr = `${el.getAttribute('title') ?? ''} ${el.getAttribute('aria-label') ?? ''}`;
      const address = attr.match(EMAIL_IN_TEXT)?.[0]?.toLowerCase();
      if (!address) continue;
      people.push({ address, name: cleanName(el.textContent, address) });
    }
    return uniquePeople(people);
  },

  async discard(root) {
    const button = root.querySelector(OUTLOOK.discard);
    if (!button) throw new Error('Outlook discard button not found');
    const doc = root.ownerDocument;
    const before = new Set(doc.querySelectorAll(OUTLOOK.confirmDialog));
    pressButton(button);
    // Some builds ask to confirm; click the dialog's confirm button if one appears.
    for (let i = 0; i < 20 && root.isConnected; i++) {
      await sleep(50);
      for (const dialog of doc.querySelectorAll(OUTLOOK.confirmDialog)) {
        if (before.has(dialog)) continue;
        const confirm = [...dialog.querySelectorAll('button')].find((b) =>
          (OUTLOOK.confirmLabels as readonly string[]).includes((b.getAttribute('aria-label') ?? b.textContent ?? '').trim()),
        );
        if (confirm) {
          pressButton(confirm);
          return;
        }
      }
    }
  },

  mountPoint(root) {
    // Between the header fields and the message body: in view next to Send, whatever the body's length.
    const body = root.querySelector(OUTLOOK.body);
    const editorParent = body?.closest('[id^="editorParent_"]') ?? body;
    return editorParent && root.contains(editorParent) ? { element: editorParent, append: 'before' } : { element: root, append: 'first' };
  },

  clickScope: (root) => root,
  isSendControl: (target, root) => {
    const button = target.closest(OUTLOOK.send);
    return !!button && root.contains(button);
  },
  isCloseControl: (target, root) => {
    const button = target.closest(OUTLOOK.discard);
    return !!button && root.contains(button);
  },
};

export const createOutlookDriver = (doc?: Document) => createComposeDriver(outlookAdapter, doc);
