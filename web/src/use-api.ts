import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * Loads data for a page: `const { data, error, loading, reload } = useApi(() => get(...), [deps])`.
 * An answer that arrives after the page moved on is dropped.
 */
export function useApi<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    setError(undefined);
    try {
      const value = await loadRef.current();
      if (mine === seq.current) setData(value);
    } catch (err) {
      if (mine === seq.current) setError(err);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void reload();
    // The caller lists what the load reads, as with useEffect.
  }, [reload, ...deps]);

  return { data, error, loading, reload, setData };
}
