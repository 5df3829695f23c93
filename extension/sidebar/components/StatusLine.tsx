export type Status =
  | { kind: 'progress'; text: string; done: number; total: number }
  | { kind: 'success'; text: string }
  | { kind: 'error'; text: string };

/** Progress and the outcome of a send, announced to screen readers. */
export function StatusLine({ status }: { status: Status | null }) {
  if (!status) return null;
  return (
    <div className={`sw-status sw-status-${status.kind}`} role={status.kind === 'error' ? 'alert' : 'status'} data-testid="sw-status">
      {status.kind === 'progress' ? <progress max={status.total} value={status.done} /> : null}
      <span>{status.text}</span>
    </div>
  );
}
