import type { CameraProblem } from '../../core-types';
import { call } from '../../kiosk';

/** Largest frame sent to core: enough for the detector, small enough to cross IPC many times a second. */
const MAX_WIDTH = 480;
const MAX_HEIGHT = 360;

/** Opens the front camera; answers a problem code instead of throwing. */
export async function openCamera(): Promise<{ stream: MediaStream } | { problem: CameraProblem }> {
  if (!navigator.mediaDevices?.getUserMedia) return { problem: 'camera-missing' };
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' },
      audio: false,
    });
    if (stream.getVideoTracks().length === 0) return { problem: 'camera-missing' };
    return { stream };
  } catch (err) {
    const name = err instanceof DOMException ? err.name : '';
    if (name === 'NotAllowedError' || name === 'SecurityError') return { problem: 'camera-denied' };
    if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'NotReadableError')
      return { problem: 'camera-missing' };
    return { problem: 'camera-failed' };
  }
}

export function stopCamera(stream: MediaStream | null | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

/**
 * Grabs the current video frame, downscaled, as RGBA bytes. The canvas is reused and cleared, and
 * the bytes go straight to core: nothing is kept on the screen's side.
 */
export function grabFrame(
  video: HTMLVideoElement,
  canvas: HTMLCanvasElement,
): { width: number; height: number; data: Uint8Array } | null {
  const vw = video.videoWidth;
  const vh = video.videoHeight;
  if (!vw || !vh || video.readyState < 2) return null;
  const scale = Math.min(1, MAX_WIDTH / vw, MAX_HEIGHT / vh);
  const width = Math.max(32, Math.round(vw * scale));
  const height = Math.max(32, Math.round(vh * scale));
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return null;
  ctx.drawImage(video, 0, 0, width, height);
  const image = ctx.getImageData(0, 0, width, height);
  ctx.clearRect(0, 0, width, height);
  return { width, height, data: new Uint8Array(image.data.buffer) };
}

/**
 * Tells core which camera was opened (its label and device id) before any frame: core refuses
 * virtual cameras and, with `camera.allow`, any camera not listed, and refuses frames until this
 * has been answered "allowed". Answers 'refused', or 'failed' when core could not be asked.
 */
export async function reportCamera(session: string, stream: MediaStream): Promise<'allowed' | 'refused' | 'failed'> {
  const track = stream.getVideoTracks()[0];
  if (!track) return 'failed';
  const deviceId = track.getSettings().deviceId;
  try {
    const answer = await call('checkin.camera', { session, label: track.label, ...(deviceId ? { deviceId } : {}) });
    return answer.allowed ? 'allowed' : 'refused';
  } catch {
    return 'failed';
  }
}
