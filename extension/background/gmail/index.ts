import { registerProvider } from '../channels/registry';
import { getEffectiveSettings } from '../settings';
import { GmailAuth } from './auth';
import { GmailChannel } from './channel';
import { gmailConfigFrom } from './config';
import { GmailDispatcher } from './dispatcher';
import { Ledger } from './ledger';
import { Outbox } from './outbox';
import { GmailProvider } from './provider';
import { realSleep } from './retry';

const ALARM = 'sendway.gmail.outbox';
/** Chrome fires alarms no sooner than 30 s out; nearer wake-ups also get a timer while the worker is awake. */
const TIMER_HORIZON_MS = 5 * 60_000;

let channel: GmailChannel | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;

async function loadConfig() {
  return gmailConfigFrom((await getEffectiveSettings()).values, { revokeUrl: import.meta.env.WXT_GOOGLE_REVOKE_URL || undefined });
}

function wake(at: number | undefined): void {
  if (timer) clearTimeout(timer);
  timer = undefined;
  if (at === undefined) {
    void browser.alarms.clear(ALARM);
    return;
  }
  const delay = Math.max(0, at - Date.now());
  void browser.alarms.create(ALARM, { when: Date.now() + Math.max(delay, 1000) });
  if (delay < TIMER_HORIZON_MS) timer = setTimeout(() => void gmailChannel().dispatcher.drain(), delay);
}

/** The one Gmail channel of this background, built on first use with the real browser APIs. */
export function gmailChannel(): GmailChannel {
  if (channel) return channel;
  const now = () => Date.now();
  const auth = new GmailAuth({
    launchWebAuthFlow: ({ url, interactive, ...chromeOnly }) =>
      // Firefox validates the details strictly and refuses Chrome's non-interactive tuning fields.
      browser.identity.launchWebAuthFlow(
        (import.meta.env.FIREFOX ? { url, interactive } : { url, interactive, ...chromeOnly }) as Parameters<typeof browser.identity.launchWebAuthFlow>[0],
      ),
    redirectUrl: () => browser.identity.getRedirectURL(),
    fetch: (input, init) => fetch(input, init),
    now,
    config: loadConfig,
  });
  const outbox = new Outbox();
  const ledger = new Ledger();
  const dispatcher = new GmailDispatcher({
    auth,
    outbox,
    ledger,
    config: loadConfig,
    fetch: (input, init) => fetch(input, init),
    now,
    random: Math.random,
    sleep: realSleep,
    wake,
    online: () => navigator.onLine,
  });
  channel = new GmailChannel({ auth, dispatcher, ledger, outbox, config: loadConfig, now });
  return channel;
}

/**
 * Called once from the background entrypoint, synchronously, so the alarm
 * listener is in place when an alarm wakes the worker.
 */
export function installGmailChannel(): void {
  registerProvider(new GmailProvider(gmailChannel));
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === ALARM) void gmailChannel().dispatcher.drain();
  });
  // A worker start is where a send cut off by the last shutdown is found; then catch up on what is due.
  const dispatcher = gmailChannel().dispatcher;
  void dispatcher.recover().then(() => dispatcher.drain());
}
