import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from './errors';

/**
 * Runs a staff action (a login, a resolution, an account change): clears the last problem, marks
 * the form busy, and on failure shows the translated reason after `onError` (e.g. clearing a
 * password field) has run.
 */
export function useAction(): {
  problem: string;
  busy: boolean;
  run: (work: () => Promise<void>, onError?: () => void) => Promise<void>;
} {
  const { t } = useTranslation('staff');
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  const run = useCallback(
    async (work: () => Promise<void>, onError?: () => void) => {
      setBusy(true);
      setProblem('');
      try {
        await work();
      } catch (err) {
        onError?.();
        setProblem(errorText(t, err));
      } finally {
        setBusy(false);
      }
    },
    [t],
  );
  return { problem, busy, run };
}
