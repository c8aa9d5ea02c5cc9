import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from './errors';

/**
 * Loads a staff list once on opening and again on `reload()` (the Refresh button). No background
 * polling: a poll would count as staff activity and keep the session from ever going idle.
 */
export function useLoaded<T>(fetcher: () => Promise<T>): { data: T | null; problem: string; reload: () => void } {
  const { t } = useTranslation('staff');
  const [data, setData] = useState<T | null>(null);
  const [problem, setProblem] = useState('');
  const [version, setVersion] = useState(0);
  const latest = useRef(fetcher);
  useEffect(() => {
    latest.current = fetcher;
  }, [fetcher]);
  useEffect(() => {
    let live = true;
    latest.current().then(
      (value) => {
        if (!live) return;
        setData(value);
        setProblem('');
      },
      (err: unknown) => {
        if (live) setProblem(errorText(t, err));
      },
    );
    return () => {
      live = false;
    };
  }, [version, t]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { data, problem, reload };
}
