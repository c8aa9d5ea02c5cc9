import { describe, expect, it } from 'vitest';
import { clipBox, faceQuality, poseFromLandmarks } from '../../electron/core/face/geometry.js';
import { validateFrame } from '../../electron/core/face/frame.js';
import { FaceEngineError, type RgbaFrame } from '../../electron/core/face/types.js';

const frameOf = (width: number, height: number, luma: (x: number, y: number) => number): RgbaFrame => {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = luma(x, y);
      data.set([v, v, v, 255], (y * width + x) * 4);
    }
  }
  return { width, height, data };
};

describe('face quality measures', () => {
  it('brightness is the mean luma of the face region; a flat region has no sharpness', () => {
    const q = faceQuality(
      frameOf(100, 80, () => 120),
      { x: 25, y: 20, width: 50, height: 40 },
    );
    expect(q.brightness).toBeCloseTo(120, 3);
    expect(q.sharpness).toBeCloseTo(0, 6);
    expect(q.faceWidthRatio).toBeCloseTo(0.5);
    expect(q.centreOffset).toBeCloseTo(0); // box centred in the frame
  });

  it('a textured region is sharper than the same texture blurred', () => {
    const crisp = frameOf(64, 64, (x, y) => (((x >> 1) + (y >> 1)) % 2 ? 200 : 40));
    const soft = frameOf(64, 64, (x, y) => 120 + 60 * Math.sin(x / 6) * Math.sin(y / 6));
    const box = { x: 8, y: 8, width: 48, height: 48 };
    expect(faceQuality(crisp, box).sharpness).toBeGreaterThan(faceQuality(soft, box).sharpness * 10);
  });

  it('measures off-centre faces and clips boxes that leave the frame', () => {
    const q = faceQuality(
      frameOf(100, 100, () => 50),
      { x: 80, y: 40, width: 40, height: 20 },
    );
    expect(q.centreOffset).toBeCloseTo(1, 5); // centre at (100, 50): one half-frame to the right
    expect(q.brightness).toBeCloseTo(50);
    expect(clipBox({ x: -10, y: -10, width: 30, height: 30 }, 100, 100)).toEqual({ x: 0, y: 0, width: 20, height: 20 });
    expect(clipBox({ x: 200, y: 0, width: 30, height: 30 }, 100, 100)).toBeNull();
  });
});

describe('pose from landmarks', () => {
  // A schematic frontal face in the iBUG 68-point order, symmetric about x = 0.
  const frontal = (): Array<[number, number]> => {
    const pts: Array<[number, number]> = [];
    for (let k = 0; k <= 16; k++) {
      const a = Math.PI * (k / 16); // jaw: half ellipse from the left ear to the right ear via the chin
      pts.push([-60 * Math.cos(a), 10 + 70 * Math.sin(a)]);
    }
    for (let k = 0; k < 5; k++) pts.push([-50 + k * 10, -25]); // right brow (image left)
    for (let k = 0; k < 5; k++) pts.push([10 + k * 10, -25]); // left brow
    for (let k = 0; k < 4; k++) pts.push([0, -10 + k * 10]); // nose bridge 27..30
    for (let k = 0; k < 5; k++) pts.push([-10 + k * 5, 35]); // nostrils 31..35
    const eye = (cx: number): Array<[number, number]> => [
      [cx - 10, 0],
      [cx - 5, -4],
      [cx + 5, -4],
      [cx + 10, 0],
      [cx + 5, 4],
      [cx - 5, 4],
    ];
    pts.push(...eye(-30), ...eye(30)); // 36..47
    for (let k = 0; k < 20; k++) pts.push([-20 + (k % 12) * 3.5, 55 + (k >= 12 ? 3 : 0)]); // mouth 48..67
    return pts;
  };

  it('a symmetric frontal face has no yaw or roll', () => {
    const p = poseFromLandmarks(frontal());
    expect(Math.abs(p.yawDeg)).toBeLessThan(1);
    expect(Math.abs(p.rollDeg)).toBeLessThan(1);
  });

  it("the nose moving to image right is a turn to the person's left (yaw > 0), and back", () => {
    const turn = (dx: number) =>
      frontal().map(([x, y], i): [number, number] => (i >= 27 && i <= 35 ? [x + dx, y] : [x, y]));
    expect(poseFromLandmarks(turn(15)).yawDeg).toBeGreaterThan(10);
    expect(poseFromLandmarks(turn(-15)).yawDeg).toBeLessThan(-10);
    expect(poseFromLandmarks(turn(15)).yawDeg).toBeCloseTo(-poseFromLandmarks(turn(-15)).yawDeg, 1);
  });

  it('rotating the whole face in the image changes roll by that angle and leaves yaw alone', () => {
    const a = (20 * Math.PI) / 180;
    const rotated = frontal().map(([x, y]): [number, number] => [
      x * Math.cos(a) - y * Math.sin(a),
      x * Math.sin(a) + y * Math.cos(a),
    ]);
    const p = poseFromLandmarks(rotated);
    expect(p.rollDeg).toBeCloseTo(20, 0);
    expect(Math.abs(p.yawDeg)).toBeLessThan(1);
  });

  it('refuses anything but 68 points', () => {
    expect(() => poseFromLandmarks([[0, 0]])).toThrow(/68/);
  });
});

describe('frame validation', () => {
  it('accepts a well-formed RGBA frame of either byte array type', () => {
    expect(validateFrame({ width: 2, height: 1, data: new Uint8ClampedArray(8) }).width).toBe(2);
  });
  it('names what is wrong', () => {
    const msg = (f: unknown): string => {
      try {
        validateFrame(f);
        return '';
      } catch (err) {
        expect(err).toBeInstanceOf(FaceEngineError);
        return (err as Error).message;
      }
    };
    expect(msg({ width: 2, height: 2, data: new Uint8Array(12) })).toMatch(/that is RGB/);
    expect(msg({ width: 5000, height: 2, data: new Uint8Array(8) })).toMatch(/larger than the 4096/);
    expect(msg({ width: 0, height: 2, data: new Uint8Array(0) })).toMatch(/at least 1 pixel/);
  });
});
