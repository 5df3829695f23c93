import { createRoot } from 'react-dom/client';
import { i18n } from '#i18n';

export default defineContentScript({
  matches: ['https://mail.google.com/*'],
  cssInjectionMode: 'ui',
  async main(ctx) {
    const ui = await createShadowRootUi(ctx, {
      name: 'sendway-sidebar',
      position: 'inline',
      anchor: 'body',
      mode: 'open',
      onMount(container, _shadow, host) {
        host.setAttribute('data-sendway-sidebar', '');
        const root = createRoot(container);
        root.render(<div>{i18n.t('extName')}</div>);
        return root;
      },
      onRemove(root) {
        root?.unmount();
      },
    });
    ui.mount();
  },
});
