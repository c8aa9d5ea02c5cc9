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

/**
 * Letters from other scripts that look like Latin ones (Unicode's confusables for the letters in
 * camera names: Cyrillic, Greek, Armenian, and a few symbols), mapped to the Latin letter.
 */
const confusables: Record<string, string> = {
  а: 'a',
  в: 'b',
  с: 'c',
  ԁ: 'd',
  е: 'e',
  ё: 'e',
  һ: 'h',
  і: 'i',
  ї: 'i',
  ј: 'j',
  к: 'k',
  л: 'n',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  ԛ: 'q',
  ѕ: 's',
  т: 't',
  у: 'y',
  х: 'x',
  ԝ: 'w',
  ү: 'y',
  ӏ: 'l',
  ɡ: 'g',
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  γ: 'y',
  μ: 'u',
  ω: 'w',
  օ: 'o',
  ս: 'u',
  ց: 'g',
  հ: 'h',
  ո: 'n',
  ք: 'p',
  ı: 'i',
  ł: 'l',
  ø: 'o',
  đ: 'd',
  ħ: 'h',
  '0': 'o',
  '1': 'l',
  '|': 'l',
  $: 's',
  '@': 'a',
};

/**
 * What a label looks like to a person (issue 17 item 15): NFKC, then without marks (accents,
 * combining dots), format characters (zero-width space and joiners, soft hyphen, word joiner,
 * bidi controls), spaces and punctuation, with look-alike letters mapped to Latin. "OBS Virtuаl
 * Camera" with a Cyrillic а and "Many\u200bCam" become "obsvirtualcamera" and "manycam".
 */
export function labelSkeleton(s: string): string {
  const lower = s
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\p{M}\p{Cf}]/gu, '');
  return [...lower]
    .map((ch) => confusables[ch] ?? ch)
    .join('')
    .replace(/[^a-z]/g, '');
}

/** The USB vendor and product id Chromium appends to a camera's label, e.g. "HD Webcam (046d:082d)". */
export function usbIdOf(label: string): string | null {
  const m = /\(([0-9a-f]{4}):([0-9a-f]{4})\)\s*$/i.exec(label.trim());
  return m ? `${m[1]!.toLowerCase()}:${m[2]!.toLowerCase()}` : null;
}
const usbAllow = /^usb:([0-9a-f]{4}):([0-9a-f]{4})$/i;

export function decideCamera(camera: ReportedCamera, pinning: CameraPinning): CameraDecision {
  const label = norm(camera.label);
  // Chromium and Electron label a camera once access is granted; a nameless one cannot be checked.
  if (!label) return { allowed: false, reason: 'unlabelled' };
  if (pinning.allowSimulator === true && label === norm(simulatorCameraLabel)) return { allowed: true };
  // Denylists compare skeletons, so look-alike letters and invisible characters do not hide a name.
  const skeleton = labelSkeleton(camera.label);
  const virtual = builtInDeny.find((d) => skeleton.includes(labelSkeleton(d)));
  if (virtual) return { allowed: false, reason: 'virtual', matched: virtual };
  const denied = pinning.deny.map(norm).find((d) => labelSkeleton(d).length > 0 && skeleton.includes(labelSkeleton(d)));
  if (denied) return { allowed: false, reason: 'denied', matched: denied };
  if (pinning.allow.length === 0) return { allowed: true };
  const deviceId = camera.deviceId?.trim();
  const usb = usbIdOf(camera.label);
  const listed = pinning.allow.some((a) => {
    const pinnedUsb = usbAllow.exec(a.trim());
    if (pinnedUsb) return usb !== null && usb === `${pinnedUsb[1]!.toLowerCase()}:${pinnedUsb[2]!.toLowerCase()}`;
    return norm(a) === label || (deviceId !== undefined && deviceId !== '' && a.trim() === deviceId);
  });
  return listed ? { allowed: true } : { allowed: false, reason: 'not-allowed' };
}
