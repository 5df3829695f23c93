import type { Person } from './driver';

/**
 * DOM helpers the drivers share. Nothing here assigns HTML strings: Gmail
 * enforces Trusted Types, and page content must never become markup.
 */

const BLOCK = new Set(['ADDRESS', 'ARTICLE', 'BLOCKQUOTE', 'DIV', 'DL', 'DT', 'DD', 'FIELDSET', 'FIGURE', 'FOOTER', 'FORM', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'HEADER', 'HR', 'LI', 'MAIN', 'NAV', 'OL', 'P', 'PRE', 'SECTION', 'TABLE', 'TR', 'UL']);
const SKIP = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT']);

/** Text of an editor the way a reader sees it: blocks and <br> become line breaks, nbsp a space. */
export function textOf(root: Node): string {
  let out = '';
  const newline = () => {
    if (out && !out.endsWith('\n')) out += '\n';
  };
  const walk = (node: Node) => {
    if (node.nodeType === 3) {
      out += (node as Text).data.replace(/\u00a0/g, ' ');
      return;
    }
    if (node.nodeType !== 1) return;
    const el = node as Element;
    if (SKIP.has(el.tagName)) return;
    if (el.tagName === 'BR') {
      out += '\n';
      return;
    }
    const block = BLOCK.has(el.tagName);
    if (block) newline();
    for (const child of el.childNodes) walk(child);
    if (block) newline();
  };
  walk(root);
  return out.replace(/\n+$/, '').replace(/^\n+/, '');
}

/**
 * Builds one <div> per line (an empty line becomes <div><br></div>), which is
 * what Gmail's and Outlook's editors produce when the rep types.
 */
export function buildLines(doc: Document, text: string): HTMLElement[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => {
      const div = doc.createElement('div');
      if (line) div.append(doc.createTextNode(line));
      else div.append(doc.createElement('br'));
      return div;
    });
}

/**
 * Replaces an editor's content with `text`, keeping `preserved` children
 * (signature, quoted thread) in place after it, and tells the editor with an
 * input event so the webmail saves its draft.
 */
export function replaceEditorText(editor: HTMLElement, text: string, preserved: Element[]): void {
  const doc = editor.ownerDocument;
  const keep = new Set<Node>();
  for (const el of preserved) {
    let node: Node | null = el;
    while (node && node.parentNode !== editor) node = node.parentNode;
    if (node) keep.add(node);
  }
  for (const child of [...editor.childNodes]) if (!keep.has(child)) child.remove();
  const lines = buildLines(doc, text);
  const first = editor.firstChild;
  if (first) {
    lines.push(buildLines(doc, '')[0]!);
    for (const line of lines) editor.insertBefore(line, first);
  } else {
    editor.append(...lines);
  }
  const view = doc.defaultView ?? window;
  editor.dispatchEvent(new view.InputEvent('input', { bubbles: true, inputType: 'insertReplacementText' }));
}

/**
 * Sets an input the way a user would. React-controlled inputs (Outlook) track
 * the last value they saw on the element itself; going through the prototype's
 * setter bypasses that tracker, so the input event is seen as a real change.
 */
export function setInputValue(input: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  const view = input.ownerDocument.defaultView;
  const proto = input instanceof (view?.HTMLTextAreaElement ?? HTMLTextAreaElement)
    ? (view?.HTMLTextAreaElement ?? HTMLTextAreaElement).prototype
    : (view?.HTMLInputElement ?? HTMLInputElement).prototype;
  const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
  if (setter) setter.call(input, value);
  else input.value = value;
  const E = view?.Event ?? Event;
  input.dispatchEvent(new E('input', { bubbles: true }));
  input.dispatchEvent(new E('change', { bubbles: true }));
}

/** Gmail's buttons listen to mousedown/mouseup, Outlook's (React) to click: send all three. */
export function pressButton(el: Element): void {
  const view = el.ownerDocument.defaultView ?? window;
  const init: MouseEventInit = { bubbles: true, cancelable: true, view, button: 0 };
  el.dispatchEvent(new view.MouseEvent('mousedown', init));
  el.dispatchEvent(new view.MouseEvent('mouseup', init));
  el.dispatchEvent(new view.MouseEvent('click', init));
}

/** True when the element is hidden by the page (display:none, hidden attribute or type=hidden). */
export function isHidden(el: Element): boolean {
  if (el.tagName === 'INPUT' && (el as HTMLInputElement).type === 'hidden') return true;
  for (let node: Element | null = el; node; node = node.parentElement) {
    if (node.hasAttribute('hidden')) return true;
    const style = (node as HTMLElement).style;
    if (style && (style.display === 'none' || style.visibility === 'hidden')) return true;
  }
  return false;
}

/**
 * The smallest ancestor of `from` (itself included) that contains every
 * selector in `must`, searching at most `maxDepth` levels up.
 */
export function closestContaining(from: Element, must: string[], maxDepth = 25): Element | null {
  let node: Element | null = from;
  for (let depth = 0; node && depth < maxDepth; depth++, node = node.parentElement) {
    if (must.every((sel) => node!.matches(sel) || node!.querySelector(sel))) return node;
  }
  return null;
}

export const EMAIL_IN_TEXT = /[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** Parses "Name <a@b.com>, c@d.com; "Doe, Jo" <e@f.com>" into people. */
export function parseAddressList(text: string): Person[] {
  const people: Person[] = [];
  const re = /(?:"([^"]*)"|([^,;<>"]*?))\s*<([^<>\s]+@[^<>\s]+)>|([A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
  for (const m of text.matchAll(re)) {
    const address = (m[3] ?? m[4] ?? '').toLowerCase();
    const name = (m[1] ?? m[2] ?? '').trim();
    if (address) people.push({ name, address });
  }
  return people;
}

/** Drops duplicate addresses, keeping the first (and the first non-empty name). */
export function uniquePeople<T extends Person>(people: T[]): T[] {
  const seen = new Map<string, T>();
  for (const p of people) {
    const existing = seen.get(p.address);
    if (!existing) seen.set(p.address, p);
    else if (!existing.name && p.name) seen.set(p.address, { ...existing, name: p.name });
  }
  return [...seen.values()];
}

/** A name that is just the address again carries no information. */
export function cleanName(name: string | null | undefined, address: string): string {
  const n = (name ?? '').replace(/\s+/g, ' ').trim();
  return n.toLowerCase() === address.toLowerCase() ? '' : n;
}
