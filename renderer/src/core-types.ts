import type { MethodInput, MethodOutput } from '../../electron/shared/api/define';
import type { KioskContract } from '../../electron/core/contract';

/** Types the screens need, derived from the contract (the renderer imports nothing else from core). */
export type KioskInfo = MethodOutput<KioskContract, 'system.info'>;
export type FrameSummary = MethodOutput<KioskContract, 'checkin.frame'>;
export type CameraProblem = MethodInput<KioskContract, 'checkin.cameraProblem'>['reason'];
/** Why the photo path ended without a ticket ('engine': the face check or sealing failed); one list in core. */
export type { PhotoPathEnd, PatientScreen, HandoffReason } from '../../electron/core/contract';
