import type { ReactNode } from 'react';

/** A coloured message box. Alerts interrupt a screen reader; the rest are polite status updates. */
export function Notice(props: { tone: 'info' | 'ok' | 'warn' | 'error'; children: ReactNode; testId?: string; live?: boolean }) {
  const role = props.live === false ? undefined : props.tone === 'error' || props.tone === 'warn' ? 'alert' : 'status';
  return (
    <div className={`notice notice-${props.tone}`} role={role} data-testid={props.testId}>
      {props.children}
    </div>
  );
}
