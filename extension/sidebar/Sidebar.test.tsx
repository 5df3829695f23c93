import { JSDOM } from 'jsdom';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installMessages } from './testing/i18n-stub';
import { Sidebar, type SidebarProps } from './Sidebar';
import { ErrorBoundary } from './components/ErrorBoundary';
import { assess } from './warnings';
import { planSend } from './plan';
import type { ChannelView } from '../../shared/messages/channels';

// A DOM for React to render into (vitest's jsdom environment trips over esbuild's TextEncoder check).
const dom = new JSDOM('<!doctype html><body></body>', { pretendToBeVisual: true });
Object.assign(globalThis, { window: dom.window, document: dom.window.document, HTMLElement: dom.window.HTMLElement, Node: dom.window.Node });
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const channel: ChannelView = {
  id: 'relay:1',
  kind: 'smtp',
  name: 'Acme SMTP',
  scope: 'domain',
  status: 'ready',
  limits: {
    perMinute: { limit: 30, used: 0 },
    perDay: { limit: 500, used: 500, unit: 'messages' },
    perMessage: null,
    nextSlotAt: '2030-01-02T09:00:00.000Z',
    queued: 0,
    sent: 0,
    failed: 0,
  },
};

let container: HTMLElement;
let root: Root;
beforeEach(async () => {
  await installMessages();
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

function props(over: Partial<SidebarProps> = {}): SidebarProps {
  const recipients = [{ kind: 'to' as const, name: '<img src=x onerror="alert(1)">', address: 'eve@example.com' }];
  const plan = planSend({ recipients, subject: 's', body: { text: 't', html: '' } });
  return {
    webmail: 'gmail',
    collapsed: false,
    onToggle: vi.fn(),
    recipients,
    channel: { state: 'ready', channel },
    assessment: assess(channel, plan, 1),
    customFields: [],
    customValues: {},
    onCustomChange: vi.fn(),
    panel: null,
    onPanel: vi.fn(),
    busy: false,
    status: null,
    onSend: vi.fn(),
    templates: { state: 'loading' },
    templateNote: null,
    onInsertTemplate: vi.fn(),
    previewTemplate: (t) => t.subject,
    scheduleDefault: new Date('2030-01-02T09:00:00Z'),
    onSchedule: vi.fn(),
    sequences: { state: 'unavailable' },
    ...over,
  };
}

const button = (name: string) => [...container.querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') ?? b.textContent) === name);

describe('Sidebar', () => {
  it('renders page content as text, never as markup', () => {
    act(() => root.render(<Sidebar {...props()} />));
    expect(container.querySelector('img')).toBeNull();
    expect(container.textContent).toContain('<img src=x onerror="alert(1)">');
  });

  it('has the four actions by name, and puts Schedule first when the daily limit is reached', () => {
    act(() => root.render(<Sidebar {...props()} />));
    expect(button('Send via Acme SMTP')?.disabled).toBe(true);
    expect(button('Schedule')?.className).toContain('sw-primary');
    expect(button('Insert template')).toBeDefined();
    expect(button('Add to sequence')).toBeDefined();
    expect(container.querySelector('[data-code=daily_limit_reached]')?.textContent).toMatch(/^The daily limit of 500 is reached\. Sending resumes .+ — schedule the message instead\.$/);
    expect(container.querySelector('[data-testid=sw-quota]')?.textContent).toBe('0 of 500 messages left today');
  });

  it('collapses to its header', () => {
    const onToggle = vi.fn();
    act(() => root.render(<Sidebar {...props({ collapsed: true, onToggle })} />));
    expect(button('Insert template')).toBeUndefined();
    const toggle = button('Expand Sendway')!;
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    act(() => toggle.click());
    expect(onToggle).toHaveBeenCalledTimes(1);
  });
});

describe('ErrorBoundary', () => {
  it('contains a crash in the sidebar and offers to try again', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let crash = true;
    function Fragile() {
      if (crash) throw new Error('boom');
      return <span>recovered</span>;
    }
    act(() =>
      root.render(
        <ErrorBoundary>
          <Fragile />
        </ErrorBoundary>,
      ),
    );
    expect(container.querySelector('[role=alert]')?.textContent).toContain('Sendway hit a problem in this compose window. Your draft is safe.');
    crash = false;
    act(() => button('Try again')!.click());
    expect(container.textContent).toBe('recovered');
    expect(error).toHaveBeenCalled();
    error.mockRestore();
  });
});
