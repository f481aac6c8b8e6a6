/** Live data: a read that polls while the page is visible, and the current path for the small router. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { get } from './api';

export interface Polled<T> {
  data: T | null;
  error: string | null;
  /** Fetch again now (after an action). */
  refresh: () => void;
  updatedAt: Date | null;
}

/** Reads `path` now and every `intervalMs` while the tab is visible; an unchanged answer costs a 304. */
export function usePoll<T>(path: string | null, intervalMs: number): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const [tick, setTick] = useState(0);
  const current = useRef(path);
  current.current = path;
  useEffect(() => {
    setData(null);
    setError(null);
  }, [path]);
  useEffect(() => {
    if (path === null) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      if (document.visibilityState === 'visible') {
        try {
          const body = await get<T>(path);
          if (!stopped && current.current === path) {
            setData(body);
            setError(null);
            setUpdatedAt(new Date());
          }
        } catch (e) {
          if (!stopped) setError((e as Error).message);
        }
      }
      if (!stopped) timer = setTimeout(run, intervalMs);
    };
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [path, intervalMs, tick]);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, refresh, updatedAt };
}

/** The path under /dashboard/ and the query string, kept in step with history. */
export function useLocation(): [{ path: string; query: URLSearchParams }, (to: string) => void] {
  const read = () => ({ path: location.pathname.replace(/^\/dashboard\/?/, '/'), query: new URLSearchParams(location.search) });
  const [loc, setLoc] = useState(read);
  useEffect(() => {
    const onPop = () => setLoc(read());
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((to: string) => {
    history.pushState(null, '', `/dashboard${to}`);
    setLoc(read());
    scrollTo(0, 0);
  }, []);
  return [loc, navigate];
}
