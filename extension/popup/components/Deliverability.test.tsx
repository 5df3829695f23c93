import { JSDOM } from 'jsdom';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { DeliverabilityReport } from '../../../shared/schemas/deliverability';
import { useLocale } from '../testing/i18n';
import { Deliverability, checkText } from './Deliverability';

const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
Object.assign(globalThis, { window: dom.window, document: dom.window.document, HTMLElement: dom.window.HTMLElement, Node: dom.window.Node });
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const report: DeliverabilityReport = {
  channelId: 'ch_1',
  status: 'fail',
  summary: 'Microsoft 365 sends as the rep',
  domains: ['acme.test'],
  checkedAt: '2026-11-27T10:00:00.000Z',
  checks: [
    { check: 'spf', domain: 'acme.test', status: 'fail', code: 'spf_provider_missing', message: 'en', record: { type: 'TXT', name: 'acme.test', value: 'v=spf1 include:spf.protection.outlook.com -all' } },
    { check: 'dkim', domain: 'acme.test', status: 'pass', code: 'dkim_ok', message: 'en' },
    { check: 'dmarc', domain: 'acme.test', status: 'warn', code: 'dmarc_none', message: 'en' },
    { check: 'mx', domain: 'acme.test', status: 'pass', code: 'mx_ok', message: 'en', found: '<img src=x onerror=alert(1)>' },
  ],
};

let root: Root;
let host: HTMLElement;
beforeEach(async () => {
  fakeBrowser.reset();
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
});
afterEach(() => {
  act(() => root.unmount());
  host.remove();
});

describe('deliverability badge', () => {
  it('shows one badge, the fixes first, and the exact record to publish', async () => {
    await useLocale('en');
    const onRecheck = vi.fn();
    act(() => root.render(<Deliverability state={{ kind: 'report', report }} onRecheck={onRecheck} />));
    expect(host.querySelector('[data-testid="deliverability-badge"]')!.textContent).toBe('At risk of spam');
    expect(host.querySelector('summary')!.textContent).toBe('What to fix (2)');
    const rows = [...host.querySelectorAll('[data-testid="deliverability-check"]')].map((r) => r.getAttribute('data-check'));
    expect(rows).toEqual(['spf', 'dmarc', 'dkim', 'mx']);
    expect(host.querySelector('code')!.textContent).toBe('v=spf1 include:spf.protection.outlook.com -all');
    expect(host.textContent).toContain('Add this TXT record at acme.test:');
    expect(host.querySelector('img')).toBeNull();
    act(() => (host.querySelector('button') as HTMLButtonElement).click());
    expect(onRecheck).toHaveBeenCalledOnce();
  });

  it('speaks Dutch from the reason codes, not the relay English', async () => {
    await useLocale('nl');
    expect(checkText(report.checks[2]!)).toBe('Het DMARC-beleid van acme.test controleert alleen (p=none). Stap over op p=quarantine zodra de rapporten in orde zijn.');
    act(() => root.render(<Deliverability state={{ kind: 'report', report }} onRecheck={() => undefined} />));
    expect(host.querySelector('[data-testid="deliverability-badge"]')!.textContent).toBe('Risico op spam');
  });

  it('explains when there is nothing to check for a Gmail address', async () => {
    await useLocale('en');
    act(() => root.render(<Deliverability state={{ kind: 'note', note: 'provider_domain' }} onRecheck={() => undefined} />));
    expect(host.textContent).toContain('Google signs and authenticates mail');
  });

  it('falls back to the relay text for a reason it has no words for', async () => {
    await useLocale('en');
    expect(checkText({ check: 'spf', domain: 'x.test', status: 'warn', code: 'something_new', message: 'Relay says so.' })).toBe('Relay says so.');
  });
});
