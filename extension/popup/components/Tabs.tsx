import { useRef, type KeyboardEvent } from 'react';

/** A tab strip that follows the ARIA tabs pattern: arrow keys move between tabs. */
export function Tabs<T extends string>(props: { label: string; tabs: { id: T; label: string }[]; selected: T; onSelect: (id: T) => void }) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (e: KeyboardEvent, index: number) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = (index + step + props.tabs.length) % props.tabs.length;
    props.onSelect(props.tabs[next]!.id);
    refs.current[next]?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label={props.label}>
      {props.tabs.map((tab, i) => (
        <button
          key={tab.id}
          ref={(el) => {
            refs.current[i] = el;
          }}
          type="button"
          role="tab"
          id={`tab-${tab.id}`}
          aria-controls={`panel-${tab.id}`}
          aria-selected={props.selected === tab.id}
          tabIndex={props.selected === tab.id ? 0 : -1}
          className="tab"
          onClick={() => props.onSelect(tab.id)}
          onKeyDown={(e) => onKey(e, i)}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}
