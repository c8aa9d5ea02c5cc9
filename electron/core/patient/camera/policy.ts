/**
 * Which camera the kiosk may use, decided in core from what the screen reports (the track's label
 * and device id). Known virtual-camera drivers are refused by default: a virtual camera feeds the
 * presence check any video (a recording of the patient turning), so it must never judge a patient.
 * Pure, so it is unit-tested on its own.
 */

/**
 * Label substrings (case-insensitive) of virtual-camera drivers and apps, refused always. Physical
 * webcams do not name themselves so. Chromium's own fake capture device (only with
 * --use-fake-device-for-media-stream, which the browser host passes for `--camera FILE` and tests;
 * labelled "fake_device_0", or with --use-file-for-fake-video-capture the played file's path) is
 * deliberately not here: a clinic adds it with `camera.deny` (docs/patient-flow.md, "Camera pinning").
 */
import { simulatorCameraLabel } from '../../../shared/vocabulary/simulator-camera.js';

export const builtInDeny = [
  'dummy video device', // v4l2loopback's default label
  'loopback', // v4l2loopback under another card_label
  'virtual', // OBS Virtual Camera, Webcamoid Virtual Camera, Logi Capture virtual, "Virtual Camera"…
  'obs-camera',
  'obs camera',
  'manycam',
  'snap camera',
  'xsplit',
  'droidcam',
  'e2esoft',
  'vcam', // e2eSoft VCam, AkVCam
  'splitcam',
  'webcamoid',
  'camtwist',
  'youcam', // CyberLink YouCam
  'iriun',
  'epoccam',
  'ndi webcam',
  'nvidia broadcast',
  'mmhmm',
  'chromacam',
  'camo camera', // Reincubate Camo
] as const;

export interface CameraPinning {
  /** Labels (whole, case-insensitive) or device ids the kiosk may use; empty: any camera not denied. */
  allow: readonly string[];
  /** Extra label substrings to refuse, on top of the built-in list. */
  deny: readonly string[];
  /** Development and tests only: accept the patient simulator's camera (never set by configuration). */
  allowSimulator?: boolean;
}

export interface ReportedCamera {
  label: string;
  deviceId?: string;
}

export const cameraRefusals = ['unlabelled', 'virtual', 'denied', 'not-allowed'] as const;
export type CameraRefusal = (typeof cameraRefusals)[number];

export type CameraDecision = { allowed: true } | { allowed: false; reason: CameraRefusal; matched?: string };

const norm = (s: string): string => s.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();

export function decideCamera(camera: ReportedCamera, pinning: CameraPinning): CameraDecision {
  const label = norm(camera.label);
  // Chromium and Electron label a camera once access is granted; a nameless one cannot be checked.
  if (!label) return { allowed: false, reason: 'unlabelled' };
  if (pinning.allowSimulator === true && label === norm(simulatorCameraLabel)) return { allowed: true };
  const virtual = builtInDeny.find((d) => label.includes(d));
  if (virtual) return { allowed: false, reason: 'virtual', matched: virtual };
  const denied = pinning.deny.map(norm).find((d) => d.length > 0 && label.includes(d));
  if (denied) return { allowed: false, reason: 'denied', matched: denied };
  if (pinning.allow.length === 0) return { allowed: true };
  const deviceId = camera.deviceId?.trim();
  const listed = pinning.allow.some(
    (a) => norm(a) === label || (deviceId !== undefined && deviceId !== '' && a.trim() === deviceId),
  );
  return listed ? { allowed: true } : { allowed: false, reason: 'not-allowed' };
}
