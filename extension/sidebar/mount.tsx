import { createRoot, type Root } from 'react-dom/client';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { createShadowRootUi } from 'wxt/utils/content-script-ui/shadow-root';
import type { ComposeDriver, ComposeView, MountPoint } from '../compose/driver';
import { ErrorBoundary } from './components/ErrorBoundary';
import { SidebarContainer } from './SidebarContainer';
import { ChannelStore, loadUiPrefs } from './stores';
import { Toast } from './components/Toast';
import css from './sidebar.css?inline';

export const HOST_TAG = 'sendway-sidebar';

function isPlaced(host: Element, point: MountPoint): boolean {
  if (!host.isConnected) return false;
  switch (point.append) {
    case 'before':
      return host.nextElementSibling === point.element;
    case 'after':
      return host.previousElementSibling === point.element;
    case 'first':
    case 'last':
      return host.parentElement === point.element;
  }
}

function place(host: Element, point: MountPoint): void {
  switch (point.append) {
    case 'before':
      point.element.before(host);
      break;
    case 'after':
      point.element.after(host);
      break;
    case 'first':
      point.element.prepend(host);
      break;
    case 'last':
      point.element.append(host);
      break;
  }
}

/**
 * Gives every compose the driver reports its own sidebar: React in an open
 * shadow root (WXT createShadowRootUi) whose host carries
 * data-sendway-sidebar, re-placed when the webmail re-renders the compose,
 * removed with it. Keyboard events stay inside the sidebar so typing there
 * never triggers webmail shortcuts.
 */
export async function mountSidebars(ctx: ContentScriptContext, driver: ComposeDriver): Promise<void> {
  const prefs = await loadUiPrefs();
  const channels = new ChannelStore();
  const toast = await createToast(ctx);

  const attach = async (view: ComposeView) => {
    let root: Root | undefined;
    const ui = await createShadowRootUi<Root>(ctx, {
      name: HOST_TAG,
      position: 'inline',
      mode: 'open',
      css,
      isolateEvents: true,
      anchor: () => view.getMountPoint()?.element ?? null,
      append: (_anchor, host) => {
        const point = view.getMountPoint();
        if (point) place(host, point);
      },
      onMount(container, _shadow, host) {
        host.setAttribute('data-sendway-sidebar', '');
        host.setAttribute('data-compose-id', view.id);
        root = createRoot(container, {
          onUncaughtError: (error) => console.error('[sendway] sidebar error', error),
        });
        root.render(
          <ErrorBoundary>
            <SidebarContainer
              view={view}
              channels={channels}
              prefs={prefs}
              notify={toast.show}
              onReady={() => host.setAttribute('data-sendway-ready', '')}
            />
          </ErrorBoundary>,
        );
        return root;
      },
      onRemove(mounted) {
        mounted?.unmount();
      },
    });
    if (view.signal.aborted || ctx.isInvalid) return;
    ui.mount();
    const keepPlaced = () => {
      const point = view.getMountPoint();
      if (point && !isPlaced(ui.shadowHost, point)) place(ui.shadowHost, point);
    };
    view.on('change', keepPlaced);
    view.on('removed', () => ui.remove());
    void root;
  };

  driver.observe((view) => {
    attach(view).catch((error: unknown) => console.error('[sendway] could not mount the sidebar', error));
  }, ctx.signal);
}

async function createToast(ctx: ContentScriptContext): Promise<{ show(text: string): void }> {
  let root: Root | undefined;
  let mounted = false;
  const ui = await createShadowRootUi<Root>(ctx, {
    name: 'sendway-notice',
    position: 'inline',
    mode: 'open',
    css,
    anchor: 'body',
    onMount(container) {
      root = createRoot(container);
      return root;
    },
    onRemove(r) {
      r?.unmount();
    },
  });
  return {
    show(text: string) {
      if (!mounted) {
        ui.mount();
        mounted = true;
      }
      root?.render(<Toast key={Date.now()} text={text} />);
    },
  };
}
