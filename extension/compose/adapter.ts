import type { MountPoint, Person, Recipient, Webmail } from './driver';

/**
 * What a webmail driver knows about its DOM, as pure functions of a compose's
 * current root. The watcher (watcher.ts) turns an adapter into a ComposeDriver.
 */
export interface ComposeAdapter {
  readonly webmail: Webmail;
  /** Every compose root on the page now (the smallest element holding recipients, subject, body and Send). */
  findComposeRoots(doc: Document): Element[];
  /** The webmail's own id for the compose, stable across its re-renders, when it has one. */
  identity(root: Element): string | null;
  isInlineReply(root: Element): boolean;
  recipients(root: Element): Recipient[];
  subjectInput(root: Element): HTMLInputElement | null;
  bodyEditor(root: Element): HTMLElement | null;
  /** Parts of the body a template must not overwrite (signature, quoted thread). */
  preservedBodyParts(editor: HTMLElement): Element[];
  threadParticipants(root: Element): Person[];
  /** Clicks the webmail's discard control (and confirms, where the webmail asks). */
  discard(root: Element): Promise<void>;
  mountPoint(root: Element): MountPoint | null;
  /** The area whose clicks belong to this compose (a pop-out's header holds its close button). */
  clickScope(root: Element): Element;
  isSendControl(target: Element, root: Element): boolean;
  isCloseControl(target: Element, root: Element): boolean;
}
