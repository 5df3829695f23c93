/**
 * One small interface over each webmail's compose windows (InboxSDK-style).
 * Only drivers touch webmail DOM; the sidebar talks to a ComposeView.
 * Views never hold on to inner nodes: every getter re-queries from the
 * compose's current root, which the watcher rebinds when the webmail
 * re-renders.
 */
export type Webmail = 'gmail' | 'outlook';
export type RecipientKind = 'to' | 'cc' | 'bcc';

export interface Person {
  /** Display name as the webmail shows it; '' when only the address is known. */
  name: string;
  /** Lower-cased address. */
  address: string;
}

export interface Recipient extends Person {
  kind: RecipientKind;
}

export interface ComposeBody {
  /** Plain text, one line per paragraph. */
  text: string;
  /** The editor's own HTML, as the webmail would send it. */
  html: string;
}

/** Where a compose's sidebar host goes, relative to `element`. */
export interface MountPoint {
  element: Element;
  append: 'first' | 'last' | 'before' | 'after';
}

export interface ComposeEvents {
  /** Something inside the compose changed (recipients typed, chips resolved…). */
  change: void;
  /** The rep pressed the webmail's own Send (button or Ctrl/Cmd+Enter). */
  send: void;
  /** The rep closed or discarded the compose with the webmail's own controls. */
  close: void;
  /** The compose is gone from the page for good; always the last event. */
  removed: void;
}

export interface ComposeView {
  /** Stable for the compose's lifetime, also across webmail re-renders. */
  readonly id: string;
  readonly webmail: Webmail;
  /** Aborted when the compose is removed (or the content script is invalidated). */
  readonly signal: AbortSignal;
  isInlineReply(): boolean;
  getRecipients(): Recipient[];
  getSubject(): string;
  setSubject(subject: string): void;
  getBody(): ComposeBody;
  /** Replaces the message text (keeping the webmail's signature and quoted thread), building nodes. */
  setBody(text: string): void;
  /** People in the thread a reply belongs to (senders and recipients), without duplicates. */
  getThreadParticipants(): Person[];
  /** Discards the webmail's draft and closes the compose; resolves whether the compose went away. */
  discard(): Promise<boolean>;
  getMountPoint(): MountPoint | null;
  on<E extends keyof ComposeEvents>(event: E, listener: () => void): () => void;
}

export interface ComposeDriver {
  readonly webmail: Webmail;
  /**
   * Calls `onCompose` once for every compose that is open now or opens later,
   * until `signal` aborts. One MutationObserver per page.
   */
  observe(onCompose: (view: ComposeView) => void, signal: AbortSignal): void;
}
