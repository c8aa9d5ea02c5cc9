import { useEffect } from 'react';
import type { MethodOutput } from '../../../../electron/shared/api/define';
import type { KioskContract } from '../../../../electron/core/contract';
import { call } from '../../kiosk';
import { useCoreData } from '../../use-core-data';

export type KeyStatus = MethodOutput<KioskContract, 'keys.status'>;

const fetchKeyStatus = () => call('keys.status', {});

/** The kiosk's key status (`keys.status`), reloaded when core says the keys changed; null until loaded or when it fails. */
export function useKeyStatus(): { status: KeyStatus | null; reload: () => void } {
  const { data, failed, reload } = useCoreData(fetchKeyStatus);
  useEffect(() => {
    if (typeof window.kiosk?.onEvent !== 'function') return undefined;
    return window.kiosk.onEvent((event) => {
      if (event.topic === 'keys.changed') reload();
    });
  }, [reload]);
  return { status: failed ? null : data, reload };
}
