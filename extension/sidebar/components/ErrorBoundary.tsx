import { Component, type ReactNode } from 'react';
import { i18n } from '#i18n';

interface State {
  failed: boolean;
}

/** Contains any error in the sidebar: it is logged, the webmail page keeps working, and the rep sees a small notice. */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { failed: false };

  static getDerivedStateFromError(): State {
    return { failed: true };
  }

  override componentDidCatch(error: unknown): void {
    console.error('[sendway] sidebar failed', error);
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="sw-root sw-error-state" role="alert">
        <span>{i18n.t('sidebar.error.title')}</span>
        <button type="button" className="sw-link" onClick={() => this.setState({ failed: false })}>
          {i18n.t('sidebar.error.retry')}
        </button>
      </div>
    );
  }
}
