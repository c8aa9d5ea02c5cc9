// The patient simulator's picture: a crop of a real recording placed where the person stands. A camera
// sees the room around a person, never the edge of a picture, so the recording covers the camera frame.
import { describe, expect, it } from 'vitest';
import { cameraHeight, cameraWidth, createRecordingPlayer } from '../../electron/browser-host/simulator/player.js';
import type { IndexedRecording } from '../../electron/browser-host/simulator/pose-index.js';

/** A recording `width`×`height` of a person facing the camera, the face `faceShare` of its width, at (cx, cy). */
function recording(width: number, height: number, faceShare: number, cx = 0.5, cy = 0.45): IndexedRecording {
  const w = width * faceShare;
  const frames = Array.from({ length: 30 }, (_, n) => ({
    n,
    yaw: (n - 15) * 2,
    pitch: 0,
    box: { x: cx * width - w / 2, y: cy * height - w * 0.6, width: w, height: w * 1.2 },
    sharpness: 100 + n,
  }));
  return { file: 'test.mp4', dir: '/nowhere', index: { version: 4, sha256: 'x', width, height, fps: 15, frames } };
}

const covers = (c: { dx: number; dy: number; dw: number; dh: number }) =>
  c.dx <= 0 && c.dy <= 0 && c.dx + c.dw >= cameraWidth && c.dy + c.dh >= cameraHeight;

describe('the simulator draws a recording as a camera would see the person', () => {
  it('covers the whole camera frame, with the face where the person stands, when the person stands far', () => {
    const player = createRecordingPlayer(recording(960, 720, 0.33), 0);
    const far = player.frame({ yawDeg: 0, pitchDeg: 0, faceWidth: 0.2, cx: 0.5, cy: 0.45 }, null, false);
    expect(covers(far)).toBe(true);
    // The face is centred as the person stands (covering moved nothing sideways).
    const faceCentre = far.dx + 0.5 * far.dw;
    expect(Math.abs(faceCentre - 0.5 * cameraWidth)).toBeLessThan(2);
  });

  it('covers the frame for a person off-centre, by showing more of the room, not a border', () => {
    const player = createRecordingPlayer(recording(960, 720, 0.25, 0.3), 0);
    const c = player.frame({ yawDeg: 0, pitchDeg: 0, faceWidth: 0.3, cx: 0.7, cy: 0.5 }, null, false);
    expect(covers(c)).toBe(true);
  });

  it('keeps the face in the kiosk range: a recording that is nearly all face shows a border instead', () => {
    const player = createRecordingPlayer(recording(640, 480, 0.8), 0);
    const c = player.frame({ yawDeg: 0, pitchDeg: 0, faceWidth: 0.32, cx: 0.5, cy: 0.45 }, null, false);
    const faceWidth = (0.8 * 640 * c.dw) / 640 / cameraWidth;
    expect(faceWidth).toBeLessThanOrEqual(0.6 + 1e-6);
    expect(covers(c)).toBe(false);
  });
});
