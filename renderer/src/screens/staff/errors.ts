import type { TFunction } from 'i18next';
import { KioskError } from '../../kiosk';

/**
 * A translated message for a failed call. Core's messages are English and safe to show; the
 * common cases have their own translations, anything else falls back to core's text.
 */
export function errorText(t: TFunction, err: unknown): string {
  if (!(err instanceof KioskError)) return t('staff:errors.generic');
  if (/locked/i.test(err.message)) return t('staff:errors.locked');
  if (/Wrong username, password or code/.test(err.message)) return t('staff:errors.wrongCredentials');
  if (/does not match/.test(err.message)) return t('staff:errors.iinMismatch');
  if (err.code === 'unauthenticated') return t('staff:errors.sessionEnded');
  if (err.code === 'forbidden') return t('staff:errors.forbidden');
  return err.message;
}
