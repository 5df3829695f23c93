import { z } from 'zod';
import type { SequenceSummary } from '../../shared/messages/sequences';
import { send } from '../lib/messaging';
import type { ChannelState } from './components/ChannelLine';

/** How often the active channel's quota is refreshed while a sidebar is on screen. */
export const CHANNEL_REFRESH_MS = 20_000;

/**
 * The active channel, shared by every sidebar on the page: one request per
 * refresh however many composes are open, and none while the tab is hidden
 * or no sidebar is mounted.
 */
export class ChannelStore {
  private state: ChannelState = { state: 'loading' };
  private readonly listeners = new Set<(s: ChannelState) => void>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private inflight: Promise<void> | undefined;
  private readonly onVisible = () => {
    if (!document.hidden) void this.refresh();
  };

  get current(): ChannelState {
    return this.state;
  }

  refresh(): Promise<void> {
    this.inflight ??= send('channels.list', {})
      .then(({ channels, activeChannelId }) => {
        this.set({ state: 'ready', channel: channels.find((c) => c.id === activeChannelId) ?? null });
      })
      .catch((error: unknown) => {
        this.set({ state: 'error', message: error instanceof Error ? error.message : String(error) });
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }

  subscribe(listener: (s: ChannelState) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) {
      void this.refresh();
      this.timer = setInterval(() => {
        if (!document.hidden) void this.refresh();
      }, CHANNEL_REFRESH_MS);
      document.addEventListener('visibilitychange', this.onVisible);
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        clearInterval(this.timer);
        document.removeEventListener('visibilitychange', this.onVisible);
      }
    };
  }

  private set(next: ChannelState): void {
    this.state = next;
    for (const l of this.listeners) l(next);
  }
}

const UI_KEY = 'sidebar.ui';
const UiPrefs = z.object({ collapsed: z.boolean() }).catch({ collapsed: false });
export type UiPrefs = z.infer<typeof UiPrefs>;

/** Non-secret UI state (collapsed or not); storage may be unavailable to content scripts, so failures fall back. */
export async function loadUiPrefs(): Promise<UiPrefs> {
  try {
    return UiPrefs.parse((await browser.storage.local.get(UI_KEY))[UI_KEY]);
  } catch {
    return { collapsed: false };
  }
}

export async function saveUiPrefs(prefs: UiPrefs): Promise<void> {
  try {
    await browser.storage.local.set({ [UI_KEY]: prefs });
  } catch (error) {
    console.warn('[sendway] could not remember the sidebar state', error);
  }
}

/** Every sequence with what the enrol panel shows (steps, channel, custom fields); no contact addresses. */
export async function listSequences(): Promise<SequenceSummary[]> {
  return (await send('sequences.list', {})).sequences;
}
