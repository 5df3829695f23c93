import { percent } from '../logic/sequences-view';
import '../progress.css';

/** A progress bar with its numbers for screen readers: "4 of 10 emails sent". */
export function ProgressBar(props: { done: number; total: number; label: string; testId?: string }) {
  const pct = percent(props.done, props.total);
  return (
    <div
      className="seq-progress"
      role="progressbar"
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={Math.max(props.total, 1)}
      aria-valuenow={Math.min(props.done, props.total)}
      aria-valuetext={props.label}
      data-testid={props.testId}
    >
      <div className="seq-progress-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}
