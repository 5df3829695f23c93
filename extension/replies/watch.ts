import type { Sighting } from '../../shared/messages/sequences';
import { send } from '../lib/messaging';
import { concerning, scanGmail, scanOutlook } from './scan';

/** How often the list of watched people is asked for again (new enrolments, stops). */
const WATCH_REFRESH_MS = 60_000;
/** Webmail pages change constantly: look at most this often, once things settle. */
const SCAN_DEBOUNCE_MS = 1_200;
/** Sightings reported at once. */
const BATCH = 100;

export interface ReplyWatchOptions {
  webmail: 'gmail' | 'outlook';
  signal: AbortSignal;
  /** For tests: how to reach the background. */
  transport?: {
    watchList(): Promise<{ addresses: string[]; domains: string[] }>;
    report(sightings: Sighting[]): Promise<unknown>;
  };
}

const defaultTransport = {
  watchList: () => send('sequences.watchList', {}),
  report: (sightings: Sighting[]) => send('sequences.replySeen', { sightings }),
};

/**
 * Notices replies from enrolled contacts in the webmail: whenever the page
 * settles after a change, the message list and any open conversation are read,
 * and sightings of watched people (contacts, their Cc's, their company
 * domains) go to the background, which stops those who replied. Nothing runs
 * while nobody is enrolled. Errors are contained: the webmail page never sees them.
 */
export function watchReplies(options: ReplyWatchOptions): void {
  const { signal, webmail } = options;
  const transport = options.transport ?? defaultTransport;
  let watch = { addresses: new Set<string>(), domains: new Set<string>() };
  const reported = new Set<string>();
  let observer: MutationObserver | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const scan = async () => {
    timer = undefined;
    if (signal.aborted || (!watch.addresses.size && !watch.domains.size)) return;
    try {
      const now = Date.now();
      const all = webmail === 'gmail' ? scanGmail(document, location.hash, now) : scanOutlook(document, location.pathname, now);
      const fresh = concerning(all, watch).filter((s) => {
        const key = JSON.stringify([s.kind, s.from, s.at ?? null, s.unread ?? null]);
        if (reported.has(key)) return false;
        reported.add(key);
        return true;
      });
      for (let i = 0; i < fresh.length; i += BATCH) await transport.report(fresh.slice(i, i + BATCH));
      // Someone stopped: the list is smaller now.
      if (fresh.length) await refresh();
    } catch (error) {
      console.warn('[sendway] reply check failed', error);
    }
  };

  const schedule = () => {
    if (signal.aborted || timer) return;
    timer = setTimeout(() => void scan(), SCAN_DEBOUNCE_MS);
  };

  const refresh = async () => {
    try {
      const list = await transport.watchList();
      watch = { addresses: new Set(list.addresses), domains: new Set(list.domains) };
    } catch (error) {
      console.warn('[sendway] could not load the reply watch list', error);
      return;
    }
    const watching = watch.addresses.size > 0 || watch.domains.size > 0;
    if (watching && !observer && !signal.aborted) {
      observer = new MutationObserver(schedule);
      observer.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['class', 'aria-label'] });
      schedule();
    } else if (!watching && observer) {
      observer.disconnect();
      observer = undefined;
    }
  };

  const interval = setInterval(() => void refresh(), WATCH_REFRESH_MS);
  const onHash = () => schedule();
  window.addEventListener('hashchange', onHash);
  signal.addEventListener(
    'abort',
    () => {
      clearInterval(interval);
      clearTimeout(timer);
      observer?.disconnect();
      window.removeEventListener('hashchange', onHash);
    },
    { once: true },
  );
  void refresh();
}
