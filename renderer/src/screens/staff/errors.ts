import type { TFunction } from 'i18next';
import { z } from 'zod/mini';
import type { ErrorKey } from '../../../../electron/shared/api/define';
import { KioskError } from '../../kiosk';

/** The staff screens' words for each key core gives an error (`errorKeys` in electron/shared/api/define.ts). */
export const errorKeyText = {
  'staff.locked': 'staff:errors.locked',
  'staff.wrong-credentials': 'staff:errors.wrongCredentials',
  'handoffs.iin-mismatch': 'staff:errors.iinMismatch',
} as const satisfies Record<ErrorKey, string>;

// zod/mini: the screen needs this one check, and the full zod would add ~80 kB to the renderer bundle.
const errorKey = z.enum(Object.keys(errorKeyText) as [ErrorKey, ...ErrorKey[]]);

/**
 * A translated message for a failed call, chosen by the error's key (never by its text). Core's
 * messages are English and safe to show: an error without a key falls back to core's text, one with
 * a key this screen does not know to the generic message.
 */
export function errorText(t: TFunction, err: unknown): string {
  if (!(err instanceof KioskError)) return t('staff:errors.generic');
  if (err.key !== undefined) {
    const key = errorKey.safeParse(err.key);
    return t(key.success ? errorKeyText[key.data] : 'staff:errors.generic');
  }
  if (err.code === 'unauthenticated') return t('staff:errors.sessionEnded');
  if (err.code === 'forbidden') return t('staff:errors.forbidden');
  return err.message;
}
