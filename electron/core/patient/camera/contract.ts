import { z } from 'zod';
import { method } from '../../../shared/api/define.js';
import { cameraRefusals } from './policy.js';

/** What the screen tells core about the camera it opened, before any frame (camera pinning). */
const cameraInput = z
  .object({
    session: z.uuid(),
    /** MediaStreamTrack.label of the video track. */
    label: z.string().max(256),
    /** MediaTrackSettings.deviceId (Chromium: per origin and profile). */
    deviceId: z.string().max(256).optional(),
  })
  .strict();

const decision = z.object({
  at: z.string(),
  label: z.string(),
  allowed: z.boolean(),
  reason: z.enum(cameraRefusals).optional(),
});

export const cameraContract = {
  'checkin.camera': method({
    summary:
      'Report the camera the screen opened; core answers whether the kiosk may use it (frames are refused until it is allowed)',
    input: cameraInput,
    output: z.object({ allowed: z.boolean(), reason: z.enum(cameraRefusals).optional() }),
  }),
  'camera.status': method({
    summary: 'The camera in use and the latest refused cameras (IT screen)',
    roles: ['it', 'admin'],
    input: z.object({}).strict(),
    output: z.object({
      current: decision.nullable(),
      refusals: z.array(decision).max(50),
      allow: z.array(z.string()),
      deny: z.array(z.string()),
    }),
  }),
};
