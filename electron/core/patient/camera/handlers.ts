import { UserFacingError, type Handlers } from '../../../shared/api/define.js';
import type { checkinContract } from '../checkin/contract.js';
import type { cameraContract } from './contract.js';
import { decideCamera, type CameraPinning, type CameraRefusal } from './policy.js';
import { sessionEnded } from '../session-ended.js';

/**
 * Camera pinning around the photo check-in: the screen reports the camera it opened
 * (`checkin.camera`) and core decides; `checkin.frame` is refused for a session whose camera was not
 * reported or not allowed, so a screen cannot skip the check. A refused camera ends the photo path
 * like any camera problem (reason `camera-refused`: the decline path and reception follow), writes
 * an audit row and shows on the IT screen with the camera in use.
 */

export interface CameraDecisionRecord {
  at: string;
  label: string;
  allowed: boolean;
  reason?: CameraRefusal;
}

export interface CameraGatePorts {
  pinning: CameraPinning;
  /** The check-in's handlers, wrapped here (frames gated, a new patient forgets the camera). */
  checkin: Handlers<typeof checkinContract>;
  /** True while `session` is the current patient. */
  isCurrent(session: string): boolean;
  /** One audit row per refused camera; the label is a device name, never personal data. */
  audit(entry: { action: string; detail: Record<string, string> }): void;
  now?: () => Date;
}

export interface CameraGate {
  handlers: Handlers<typeof cameraContract>;
  /** The check-in's handlers with frames gated on an allowed camera. */
  checkin: Handlers<typeof checkinContract>;
}

const keptRefusals = 20;
/** Stored labels are cut to this (a label is the screen's word; the IT screen shows it). */
const labelChars = 120;

export function createCameraGate(ports: CameraGatePorts): CameraGate {
  const now = ports.now ?? (() => new Date());
  /** The session whose camera is allowed; one patient at a time. */
  let allowedFor: string | undefined;
  let current: CameraDecisionRecord | null = null;
  const refusals: CameraDecisionRecord[] = [];

  const handlers: Handlers<typeof cameraContract> = {
    'checkin.camera': async ({ session, label, deviceId }, ctx) => {
      if (!ports.isCurrent(session)) throw sessionEnded();
      const decision = decideCamera({ label, ...(deviceId !== undefined ? { deviceId } : {}) }, ports.pinning);
      const record: CameraDecisionRecord = {
        at: now().toISOString(),
        label: label.trim().slice(0, labelChars),
        allowed: decision.allowed,
        ...(decision.allowed ? {} : { reason: decision.reason }),
      };
      current = record;
      if (decision.allowed) {
        allowedFor = session;
        return { allowed: true };
      }
      if (allowedFor === session) allowedFor = undefined;
      refusals.unshift(record);
      refusals.length = Math.min(refusals.length, keptRefusals);
      ports.audit({
        action: 'camera.refused',
        detail: {
          label: record.label,
          reason: decision.reason,
          ...(decision.matched ? { matched: decision.matched } : {}),
        },
      });
      // The photo path ends here, as for a missing or unplugged camera.
      await ports.checkin['checkin.cameraProblem']({ session, reason: 'camera-refused' }, ctx);
      return { allowed: false, reason: decision.reason };
    },
    'camera.status': () => ({
      current,
      refusals: [...refusals],
      allow: [...ports.pinning.allow],
      deny: [...ports.pinning.deny],
    }),
  };

  const checkin: Handlers<typeof checkinContract> = {
    ...ports.checkin,
    'checkin.identify': (input, ctx) => {
      allowedFor = undefined;
      return ports.checkin['checkin.identify'](input, ctx);
    },
    'checkin.frame': (input, ctx) => {
      if (allowedFor !== input.session || !ports.isCurrent(input.session)) {
        throw new UserFacingError(
          'The camera has not been checked for this check-in: report it first (checkin.camera).',
        );
      }
      return ports.checkin['checkin.frame'](input, ctx);
    },
    'checkin.cancel': (input, ctx) => {
      if (!input.session || input.session === allowedFor) allowedFor = undefined;
      return ports.checkin['checkin.cancel'](input, ctx);
    },
  };

  return { handlers, checkin };
}
