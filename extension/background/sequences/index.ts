import { i18n } from '#i18n';
import { listAllChannels, providerFor } from '../channels/registry';
import { gmailChannel } from '../gmail';
import { gmailConfigFrom } from '../gmail/config';
import { getEffectiveSettings } from '../settings';
import { listTemplates } from '../templates';
import { SequenceEngine } from './engine';
import { threadReplier } from './gmail-thread';
import type { GmailThreadPort, Say } from './ports';
import { createRelayPort } from './relay-port';
import { SequenceStore } from './store';

const ALARM = 'sendway.sequences';
/** Chrome fires alarms no sooner than 30 s out; nearer wake-ups also get a timer while the worker is awake. */
const TIMER_HORIZON_MS = 5 * 60_000;

let engine: SequenceEngine | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;

const say: Say = (key, subs) => i18n.t(key as Parameters<typeof i18n.t>[0], (subs ?? []).map(String) as never);

function wake(at: number | undefined): void {
  if (timer) clearTimeout(timer);
  timer = undefined;
  if (at === undefined) {
    void browser.alarms.clear(ALARM);
    return;
  }
  const delay = Math.max(0, at - Date.now());
  void browser.alarms.create(ALARM, { when: Date.now() + Math.max(delay, 1000) });
  if (delay < TIMER_HORIZON_MS) timer = setTimeout(() => void run(), delay);
}

function run(): Promise<void> {
  return sequenceEngine()
    .tick()
    .catch((error: unknown) => console.error('[sendway] sequence pass failed', error));
}

/** Gmail thread metadata, only where an admin opted into the gmail.metadata scope and the account granted it. */
const gmailThreads: GmailThreadPort = {
  async enabled() {
    const config = gmailConfigFrom((await getEffectiveSettings()).values);
    if (!config.metadataScope) return false;
    const account = await gmailChannel().auth.account();
    return !!account?.scopes.some((s) => s.endsWith('/gmail.metadata'));
  },
  async replyAfter(threadId, since, self) {
    const config = gmailConfigFrom((await getEffectiveSettings()).values);
    const accessToken = await gmailChannel().auth.accessToken();
    return threadReplier({ apiBase: config.apiBase, accessToken, threadId, self, since, fetch: (i, init) => fetch(i, init) });
  },
};

/** The background's one sequence engine, built on first use with the real browser APIs. */
export function sequenceEngine(): SequenceEngine {
  engine ??= new SequenceEngine({
    store: new SequenceStore(browser.storage.local),
    now: () => Date.now(),
    templates: listTemplates,
    channels: {
      list: () => listAllChannels(),
      send: (channelId, items, sendAt) => providerFor(channelId).send(channelId, items, { ...(sendAt ? { sendAt } : {}) }),
    },
    relay: createRelayPort(),
    gmailThread: gmailThreads,
    wake,
    say,
  });
  return engine;
}

/**
 * Called once from the background entrypoint, synchronously, so the alarm
 * listener is in place when an alarm wakes the worker. A worker start (the
 * browser opening) catches up on whatever came due while it was closed.
 */
export function installSequences(): void {
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === ALARM) void run();
  });
  browser.runtime.onStartup?.addListener(() => void run());
  void run();
}
