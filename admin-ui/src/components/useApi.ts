// Loads data through the API module and keeps the loading state and a visible error together.
import { useCallback, useEffect, useState } from '@wordpress/element';
import { ApiError } from '../api/client';

export function toApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError('unknown', err instanceof Error ? err.message : String(err));
}

export function useApi<T>(load: () => Promise<T>) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const reload = useCallback(() => {
    setLoading(true);
    load()
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((err: unknown) => setError(toApiError(err)))
      .finally(() => setLoading(false));
  }, [load]);
  useEffect(reload, [reload]);
  return { data, setData, error, loading, reload };
}
