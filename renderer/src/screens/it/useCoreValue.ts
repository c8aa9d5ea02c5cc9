import { useEffect, useState } from 'react';
import type { MethodOutput } from '../../../../electron/shared/api/define';
import type { KioskContract, MethodName } from '../../../../electron/core/contract';
import { call } from '../../kiosk';

/** Methods that take no input: the IT screens' read-only figures. */
type NoInputMethod = {
  [K in MethodName]: Record<string, never> extends Parameters<typeof call<K>>[1] ? K : never;
}[MethodName];

/** Core's answer to `method` (no input), loaded again whenever `version` changes; null until loaded or when it fails. */
export function useCoreValue<K extends NoInputMethod>(
  method: K,
  version: number,
): MethodOutput<KioskContract, K> | null {
  const [value, setValue] = useState<MethodOutput<KioskContract, K> | null>(null);
  useEffect(() => {
    let live = true;
    call(method, {} as Parameters<typeof call<K>>[1]).then(
      (v) => live && setValue(v),
      () => live && setValue(null),
    );
    return () => {
      live = false;
    };
  }, [method, version]);
  return value;
}
