import { JSDOM } from 'jsdom';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { ChannelView } from '../../../shared/messages/channels';
import { useLocale } from '../testing/i18n';
import { bannersFor, windowsOf } from '../logic/limits-view';
import { verifyText } from '../logic/texts';
import { Banners } from './Banners';
import { ChannelCard } from './ChannelCard';
import { Gauge } from './Gauge';
import { TestResult } from './TestResult';

// A DOM for React without vitest's jsdom environment (its TextEncoder trips esbuild in this project);
// react-dom only touches `document` when rendering, after this has run.
const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
Object.assign(globalThis, { window: dom.window, document: dom.window.document, HTMLElement: dom.window.HTMLElement, Node: dom.window.Node });
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const NOW = Date.parse('2026-03-03T10:00:00Z');
const office365: ChannelView = {
  id: 'relay:ch_1',
  kind: 'office365',
  name: 'Office 365 (rep@example.com)',
  scope: 'personal',
  account: 'rep@example.com',
  status: 'ready',
  limits: {
    perMinute: { limit: 30, used: 12 },
    perDay: { limit: 10_000, used: 9_000, unit: 'recipients' },
    perMessage: 500,
    nextSlotAt: new Date(NOW).toISOString(),
    queued: 2,
    sent: 140,
    failed: 1,
  },
};

let root: Root;
let host: HTMLElement;
beforeEach(async () => {
  fakeBrowser.reset();
  await useLocale('en');
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
});
afterEach(() => {
  act(() => root.unmount());
  host.remove();
});
const render = (node: React.ReactNode) => act(() => root.render(node));

describe('popup components', () => {
  it('draws a gauge as a labelled meter with the numbers in words', () => {
    render(<Gauge window={windowsOf(office365)[1]!} />);
    const meter = host.querySelector('[role="meter"]')!;
    expect(meter.getAttribute('aria-valuenow')).toBe('9000');
    expect(meter.getAttribute('aria-valuemax')).toBe('10000');
    expect(meter.getAttribute('aria-valuetext')).toBe('Last 24 hours: 9,000 of 10,000 recipients used');
    expect(host.querySelector('.gauge')!.className).toContain('gauge-near');
    expect((host.querySelector('.gauge-fill') as HTMLElement).style.width).toBe('90%');
  });

  it('shows a window without a limit as a count, without a bar', () => {
    render(<Gauge window={{ window: 'minute', used: 3, limit: null, unit: 'messages', percent: null, level: 'ok' }} />);
    expect(host.textContent).toBe('This minute3 messages · no limit');
    expect(host.querySelector('[role="meter"]')).toBeNull();
  });

  it('warns at 80 % of the daily limit', () => {
    render(<Banners banners={bannersFor([office365], NOW)} now={NOW} />);
    expect(host.textContent).toBe('Office 365 (rep@example.com) has used 90% of its 24-hour limit (9,000 of 10,000 recipients).');
  });

  it('shows a channel card with its counts and a radio named for the channel', () => {
    render(<ChannelCard channel={office365} active={false} team={false} now={NOW} group="g" onUse={() => undefined} />);
    expect(host.querySelector('input[type="radio"]')!.getAttribute('aria-label')).toBe('Use Office 365 (rep@example.com) for sending');
    expect(host.querySelector('[data-testid="channel-counts"]')!.textContent).toBe('2 queued · 140 sent · 1 failed');
    expect(host.textContent).toContain('Up to 500 recipients per message');
    expect(host.textContent).toContain('Sends as rep@example.com');
  });

  it('explains an Office 365 SMTP AUTH refusal with the fix, as an alert', () => {
    const text = verifyText({ ok: false, code: 'smtp_auth_disabled', message: '535 5.7.139 Authentication unsuccessful' }, 'office365');
    render(<TestResult text={text} />);
    const box = host.querySelector('[data-testid="test-result"]')!;
    expect(box.getAttribute('role')).toBe('alert');
    expect(box.textContent).toContain('Sending with a password (SMTP AUTH) is switched off for this mailbox.');
    expect(box.textContent).toContain('Authenticated SMTP');
    expect(box.textContent).toContain('The server said: 535 5.7.139 Authentication unsuccessful');
  });
});
