// Issue 17 item 15: a virtual camera's label disguised with homoglyphs, zero-width or other format
// characters is still refused, and a clinic can pin its camera by the USB VID:PID Chromium reports.
import { describe, expect, it } from 'vitest';
import { decideCamera } from '../../electron/core/patient/camera/policy.js';

const open = { allow: [], deny: [] };

describe('issue 17 item 15: camera labels at depth', () => {
  it('refuses virtual cameras whose labels use look-alike letters or invisible characters', () => {
    for (const label of [
      'OBS Virtuаl Camera', // Cyrillic а
      'OBS Vіrtual Camera', // Cyrillic і
      'Many\u200bCam Virtual Webcam', // zero-width space
      'Mа\u00adnyCam', // soft hyphen, Cyrillic а
      'Snap\u2060 Camera', // word joiner
      'DroidCam Sоurce 3', // Cyrillic о: "droidcam" with a Latin o
      'ԁroidcam', // Cyrillic komi de
      'V\u0456rtual\u200d Cam', // Ukrainian і, zero-width joiner
      'ΟΒS Camera', // Greek capital omicron and beta
    ]) {
      expect(decideCamera({ label }, open), JSON.stringify(label)).toMatchObject({ allowed: false });
    }
    expect(decideCamera({ label: 'Logitech C920 HD Pro Webcam (046d:082d)' }, open)).toEqual({ allowed: true });
  });

  it('pins the camera by USB VID:PID as Chromium reports it in the label', () => {
    const pinning = { allow: ['usb:046d:082d'], deny: [] };
    expect(decideCamera({ label: 'HD Pro Webcam C920 (046d:082d)' }, pinning)).toEqual({ allowed: true });
    expect(decideCamera({ label: 'HD Pro Webcam C920 (1d6b:0104)' }, pinning)).toMatchObject({
      allowed: false,
      reason: 'not-allowed',
    });
    expect(decideCamera({ label: 'HD Pro Webcam C920' }, pinning)).toMatchObject({
      allowed: false,
      reason: 'not-allowed',
    });
  });
});
