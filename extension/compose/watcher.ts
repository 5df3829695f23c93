import type { ComposeAdapter } from './adapter';
import type { ComposeBody, ComposeDriver, ComposeEvents, ComposeView, MountPoint, Person, Recipient } from './driver';
import { isHidden, replaceEditorText, setInputValue, textOf } from './dom';

/** Attribute stamped on a compose root so the same element maps back to its view. */
export const COMPOSE_ATTR = 'data-sendway-compose';
/** How long a compose may be missing (webmail re-render in progress) before it counts as removed. */
export const REMOVAL_GRACE_MS = 400;

type Listener = () => void;

class WatchedCompose implements ComposeView {
  readonly webmail;
  readonly signal: AbortSignal;
  private readonly abort = new AbortController();
  private readonly listeners = new Map<keyof ComposeEvents, Set<Listener>>();
  identity: string | null;
  missingSince: number | null = null;

  constructor(
    readonly id: string,
    private currentRoot: Element,
    private readonly adapter: ComposeAdapter,
    parent: AbortSignal,
  ) {
    this.webmail = adapter.webmail;
    this.identity = adapter.identity(currentRoot);
    this.signal = AbortSignal.any([this.abort.signal, parent]);
  }

  /** The compose's root as of the last scan (rebinding happens in the watcher, never here). */
  get root(): Element {
    return this.currentRoot;
  }
  rebind(root: Element): void {
    this.currentRoot = root;
    this.missingSince = null;
  }

  isInlineReply(): boolean {
    return this.adapter.isInlineReply(this.currentRoot);
  }
  getRecipients(): Recipient[] {
    return this.adapter.recipients(this.currentRoot);
  }
  getSubject(): string {
    return this.adapter.subjectInput(this.currentRoot)?.value ?? '';
  }
  setSubject(subject: string): void {
    const input = this.adapter.subjectInput(this.currentRoot);
    if (!input) throw new Error('subject field not found');
    // A hidden subject (Gmail inline reply) still carries the thread's subject; write it all the same.
    setInputValue(input, subject);
  }
  getBody(): ComposeBody {
    const editor = this.adapter.bodyEditor(this.currentRoot);
    if (!editor) return { text: '', html: '' };
    return { text: textOf(editor), html: editor.innerHTML };
  }
  setBody(text: string): void {
    const editor = this.adapter.bodyEditor(this.currentRoot);
    if (!editor) throw new Error('message body not found');
    replaceEditorText(editor, text, this.adapter.preservedBodyParts(editor));
  }
  getThreadParticipants(): Person[] {
    return this.adapter.threadParticipants(this.currentRoot);
  }
  async discard(): Promise<boolean> {
    const root = this.currentRoot;
    await this.adapter.discard(root);
    return waitFor(() => !root.isConnected || isHidden(root), 3_000);
  }
  getMountPoint(): MountPoint | null {
    return this.adapter.mountPoint(this.currentRoot);
  }
  on<E extends keyof ComposeEvents>(event: E, listener: Listener): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }
  emit(event: keyof ComposeEvents): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        listener();
      } catch (error) {
        console.error('[sendway] compose listener failed', error);
      }
    }
  }
  dispose(): void {
    this.emit('removed');
    this.listeners.clear();
    this.abort.abort();
  }
}

function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const started = Date.now();
    const tick = () => {
      if (check()) resolve(true);
      else if (Date.now() - started > timeoutMs) resolve(false);
      else setTimeout(tick, 50);
    };
    tick();
  });
}

let counter = 0;
const newId = () => `c${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/**
 * Turns an adapter into a ComposeDriver: one MutationObserver on the page,
 * which only scans when elements were added or removed; composes are matched
 * to their views by a stamp on the root, else by the webmail's own id (for
 * roots the webmail rebuilt), and reported removed only after a short grace
 * period so a re-render does not tear the sidebar down.
 */
export function createComposeDriver(adapter: ComposeAdapter, doc: Document = document): ComposeDriver {
  return {
    webmail: adapter.webmail,
    observe(onCompose, signal) {
      const live = new Map<string, WatchedCompose>();
      let graceTimer: ReturnType<typeof setTimeout> | undefined;

      const scan = () => {
        if (signal.aborted) return;
        const now = Date.now();
        const found = new Set<string>();
        const changed = new Set<string>();
        for (const root of adapter.findComposeRoots(doc)) {
          let view: WatchedCompose | undefined;
          const stamp = root.getAttribute(COMPOSE_ATTR);
          if (stamp) view = live.get(stamp);
          if (!view) {
            const identity = adapter.identity(root);
            if (identity) view = [...live.values()].find((v) => v.identity === identity && !found.has(v.id));
          }
          if (view) {
            if (view.root !== root) {
              view.rebind(root);
              changed.add(view.id);
            }
            view.identity = adapter.identity(root) ?? view.identity;
            view.missingSince = null;
          } else {
            view = new WatchedCompose(newId(), root, adapter, signal);
            live.set(view.id, view);
            root.setAttribute(COMPOSE_ATTR, view.id);
            found.add(view.id);
            try {
              onCompose(view);
            } catch (error) {
              console.error('[sendway] compose handler failed', error);
            }
            continue;
          }
          if (root.getAttribute(COMPOSE_ATTR) !== view.id) root.setAttribute(COMPOSE_ATTR, view.id);
          found.add(view.id);
        }
        for (const view of [...live.values()]) {
          if (found.has(view.id)) continue;
          view.missingSince ??= now;
          if (now - view.missingSince >= REMOVAL_GRACE_MS) {
            live.delete(view.id);
            view.dispose();
          }
        }
        for (const id of changed) live.get(id)?.emit('change');
        clearTimeout(graceTimer);
        if ([...live.values()].some((v) => v.missingSince !== null)) graceTimer = setTimeout(scan, REMOVAL_GRACE_MS);
      };

      const observer = new (doc.defaultView?.MutationObserver ?? MutationObserver)((records) => {
        let structural = false;
        const touched = new Set<WatchedCompose>();
        for (const record of records) {
          if (record.addedNodes.length || record.removedNodes.length) structural = true;
          for (const view of live.values()) if (view.root.contains(record.target)) touched.add(view);
        }
        if (structural) scan();
        for (const view of touched) view.emit('change');
      });
      observer.observe(doc.documentElement, { childList: true, subtree: true, characterData: true });

      // The webmail's own Send / close controls, seen in the capture phase before the webmail acts.
      const viewOf = (target: EventTarget | null): WatchedCompose | undefined => {
        if (!(target instanceof (doc.defaultView?.Element ?? Element))) return undefined;
        for (const view of live.values()) if (adapter.clickScope(view.root).contains(target as Element)) return view;
        return undefined;
      };
      // Gmail acts on mouseup and removes the compose before any click, so watch the press itself.
      const onPress = (event: Event) => {
        const view = viewOf(event.target);
        if (!view) return;
        if (adapter.isSendControl(event.target as Element, view.root)) view.emit('send');
        else if (adapter.isCloseControl(event.target as Element, view.root)) view.emit('close');
      };
      const onKey = (event: KeyboardEvent) => {
        if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) viewOf(event.target)?.emit('send');
        else if (event.key === 'Enter' || event.key === ' ') onPress(event);
      };
      doc.addEventListener('mousedown', onPress, true);
      doc.addEventListener('keydown', onKey, true);

      signal.addEventListener('abort', () => {
        doc.removeEventListener('mousedown', onPress, true);
        doc.removeEventListener('keydown', onKey, true);
        observer.disconnect();
        clearTimeout(graceTimer);
        for (const view of live.values()) view.dispose();
        live.clear();
      });
      scan();
    },
  };
}
