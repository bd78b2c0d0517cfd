// Loads a query now and again every `everyMs`, keeping the last good answer while a refresh fails.
import { useCallback, useEffect, useState } from "preact/hooks";
import { request } from "../graphql.js";

export interface Polled<T> {
  data: T | undefined;
  error: string | null;
  reload: () => void;
}

export function usePolling<T>(query: string, variables: Record<string, unknown>, everyMs: number): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const key = JSON.stringify(variables);
  const load = useCallback(() => {
    request<T>(query, variables)
      .then((answer) => (setData(answer), setError(null)))
      .catch((failure: Error) => setError(failure.message));
  }, [query, key]);
  useEffect(() => {
    load();
    const timer = setInterval(load, everyMs);
    return () => clearInterval(timer);
  }, [load, everyMs]);
  return { data, error, reload: load };
}
