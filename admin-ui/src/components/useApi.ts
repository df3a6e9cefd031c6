// Loads data through the API module and keeps the loading state and a visible error together.
import { useCallback, useEffect, useRef, useState } from '@wordpress/element';
import { ApiError } from '../api/client';

export function toApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError('unknown', err instanceof Error ? err.message : String(err));
}

/**
 * Loads on mount and whenever `load` changes (a new filter), and on reload(). Only the newest load's
 * answer is shown: answers can come back out of order (a filter changed twice in quick succession), and
 * an older one must not replace the list the newest filter asked for.
 */
export function useApi<T>(load: () => Promise<T>) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const newest = useRef(0);
  const reload = useCallback(() => {
    const call = ++newest.current;
    const current = () => call === newest.current;
    setLoading(true);
    load()
      .then((d) => {
        if (!current()) return;
        setData(d);
        setError(null);
      })
      .catch((err: unknown) => {
        if (current()) setError(toApiError(err));
      })
      .finally(() => {
        if (current()) setLoading(false);
      });
  }, [load]);
  useEffect(reload, [reload]);
  return { data, setData, error, loading, reload };
}
