import type { ComposeAdapter } from './adapter';
import type { Person, Recipient, RecipientKind } from './driver';
import { cleanName, closestContaining, parseAddressList, pressButton, uniquePeople } from './dom';
import { GMAIL } from './gmail-selectors';
import { createComposeDriver } from './watcher';

const KINDS: RecipientKind[] = ['to', 'cc', 'bcc'];

function readKind(root: Element, kind: RecipientKind): Recipient[] {
  const people: Recipient[] = [];
  // Current UI: a row per kind, chips with the address in data-hovercard-id and the name in data-name.
  for (const row of root.querySelectorAll(GMAIL.recipientRow(kind))) {
    for (const chip of row.querySelectorAll(GMAIL.peoplekitChip)) {
      const address = (chip.getAttribute('data-hovercard-id') ?? '').trim().toLowerCase();
      if (!address.includes('@')) continue;
      people.push({ kind, address, name: cleanName(chip.getAttribute('data-name'), address) });
    }
  }
  if (people.length) return people;
  // Older UI: .vR chips with an email attribute inside the field for this kind.
  for (const field of root.querySelectorAll(GMAIL.legacyField(kind))) {
    const container = field.closest('td, .aoD, [role="group"]') ?? field.parentElement;
    for (const chip of container?.querySelectorAll(GMAIL.legacyChip) ?? []) {
      const address = (chip.getAttribute('email') ?? '').trim().toLowerCase();
      if (!address.includes('@')) continue;
      const name = chip.getAttribute('name') ?? chip.querySelector(GMAIL.legacyChipName)?.textContent ?? '';
      people.push({ kind, address, name: cleanName(name, address) });
    }
    // An address typed but not yet turned into a chip still counts once it is a whole address.
    const typed = (field as HTMLTextAreaElement).value ?? '';
    for (const p of parseAddressList(typed)) people.push({ kind, ...p });
  }
  return people;
}

export const gmailAdapter: ComposeAdapter = {
  webmail: 'gmail',

  findComposeRoots(doc) {
    const roots = new Set<Element>();
    for (const subject of doc.querySelectorAll(GMAIL.subject)) {
      const root = closestContaining(subject, [GMAIL.body, GMAIL.send]);
      if (root) roots.add(root);
    }
    return [...roots];
  },

  identity(root) {
    const value = root.querySelector<HTMLInputElement>(GMAIL.draftId)?.value;
    return value && value !== 'undefined' && value !== 'null' ? `gmail-draft:${value}` : null;
  },

  isInlineReply(root) {
    return !root.closest(GMAIL.dialog) && !!root.closest(GMAIL.inlineReplyContainer);
  },

  recipients(root) {
    const all = KINDS.flatMap((kind) => readKind(root, kind));
    // One address in two fields is one recipient; the first field wins (to, then cc, then bcc).
    return uniquePeople(all);
  },

  subjectInput: (root) => root.querySelector<HTMLInputElement>(GMAIL.subject),
  bodyEditor: (root) => root.querySelector<HTMLElement>(GMAIL.body),
  preservedBodyParts: (editor) => [...editor.querySelectorAll(GMAIL.preserved)],

  threadParticipants(root) {
    if (!this.isInlineReply(root)) return [];
    const thread = root.closest(GMAIL.thread) ?? root.ownerDocument.body;
    const people: Person[] = [];
    for (const el of thread.querySelectorAll(GMAIL.threadPeople)) {
      if (root.contains(el)) continue;
      const address = (el.getAttribute('email') ?? '').trim().toLowerCase();
      if (!address.includes('@')) continue;
      people.push({ address, name: cleanName(el.getAttribute('name') ?? el.textContent, address) });
    }
    return uniquePeople(people);
  },

  async discard(root) {
    const button = root.querySelector(GMAIL.discard) ?? root.closest(GMAIL.dialog)?.querySelector(GMAIL.discard);
    if (!button) throw new Error('Gmail discard button not found');
    pressButton(button);
  },

  mountPoint(root) {
    const send = root.querySelector(GMAIL.send);
    const toolbar = send?.closest(GMAIL.toolbar);
    // After the bottom toolbar when Gmail's own container is there, else at the end of the compose.
    return toolbar && root.contains(toolbar) && toolbar !== root
      ? { element: toolbar, append: 'after' }
      : { element: root, append: 'last' };
  },

  clickScope: (root) => root.closest(GMAIL.dialog) ?? root,

  isSendControl: (target, root) => {
    const button = target.closest(GMAIL.send);
    return !!button && root.contains(button);
  },
  isCloseControl: (target, root) => {
    const scope = root.closest(GMAIL.dialog) ?? root;
    const control = target.closest(`${GMAIL.discard}, ${GMAIL.close}`);
    return !!control && scope.contains(control);
  },
};

export const createGmailDriver = (doc?: Document) => createComposeDriver(gmailAdapter, doc);
