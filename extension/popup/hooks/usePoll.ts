import { useCallback, useEffect, useRef, useState } from 'react';

export interface Poll<T> {
  data: T | undefined;
  error: Error | undefined;
  /** True until the first answer (or error) arrives. */
  loading: boolean;
  /** Asks again now (after an action), without waiting for the next tick. */
  refresh: () => void;
}

/**
 * Calls `load` now and then every `intervalMs` after each answer (never two
 * at once), while the page is visible. Stops for good when the component
 * unmounts or the page unloads: a closed popup must not keep asking the relay.
 */
export function usePoll<T>(load: (signal: AbortSignal) => Promise<T>, intervalMs: number, enabled = true): Poll<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const kick = useRef<() => void>(() => undefined);

  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    const { signal } = controller;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running = false;

    const tick = async () => {
      clearTimeout(timer);
      if (signal.aborted || running) return;
      running = true;
      try {
        const value = await loadRef.current(signal);
        if (signal.aborted) return;
        setData(value);
        setError(undefined);
      } catch (e) {
        if (signal.aborted) return;
        setError(e instanceof Error ? e : new Error(String(e)));
      } finally {
        running = false;
        if (!signal.aborted) {
          setLoading(false);
          if (document.visibilityState === 'visible') timer = setTimeout(tick, intervalMs);
        }
      }
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') void tick();
      else clearTimeout(timer);
    };
    const stop = () => controller.abort();

    kick.current = () => void tick();
    document.addEventListener('visibilitychange', onVisible, { signal });
    window.addEventListener('pagehide', stop, { signal });
    void tick();
    return () => {
      controller.abort();
      clearTimeout(timer);
      kick.current = () => undefined;
    };
  }, [intervalMs, enabled]);

  const refresh = useCallback(() => kick.current(), []);
  return { data, error, loading, refresh };
}
