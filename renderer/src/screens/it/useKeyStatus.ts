import { useCallback, useEffect, useState } from 'react';
import type { MethodOutput } from '../../../../electron/shared/api/define';
import type { KioskContract } from '../../../../electron/core/contract';
import { useCoreValue } from './useCoreValue';

export type KeyStatus = MethodOutput<KioskContract, 'keys.status'>;

/** The kiosk's key status (`keys.status`), reloaded when core says the keys changed. */
export function useKeyStatus(): { status: KeyStatus | null; reload: () => void } {
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  const status = useCoreValue('keys.status', version);
  useEffect(() => {
    if (typeof window.kiosk?.onEvent !== 'function') return undefined;
    return window.kiosk.onEvent((event) => {
      if (event.topic === 'keys.changed') reload();
    });
  }, [reload]);
  return { status, reload };
}
