import { UserFacingError } from '../../shared/api/define.js';

/** A call for a check-in that is no longer the current one (reset, timeout, the next patient). */
export const sessionEnded = (): UserFacingError =>
  new UserFacingError('This check-in has ended. Please start again.', 'failed');
