import type { FrameSummary } from '../../core-types';
import { call } from '../../kiosk';
import { grabFrame } from './capture';

/** Consecutive failed frame calls before the camera is treated as broken. */
const MAX_FRAME_ERRORS = 5;
/**
 * Longest wait for the camera's next frame before grabbing anyway (requestVideoFrameCallback can
 * stall, e.g. while the page is hidden); also the retry pause when no picture is there yet.
 */
const NEW_FRAME_WAIT_MS = 150;
/** Pause after a failed call before the next frame (a quick error must not burn the five tries at once). */
const ERROR_PAUSE_MS = 120;

export interface FrameLoopOptions {
  session: string;
  video: HTMLVideoElement;
  canvas: HTMLCanvasElement;
  /** Each answer; return false to end the loop (the attempt is over). */
  onAnswer(answer: FrameSummary): boolean;
  /** After MAX_FRAME_ERRORS failed calls in a row. */
  onBroken(): void;
}

type VideoWithFrameCallback = HTMLVideoElement & {
  requestVideoFrameCallback?: (cb: () => void) => number;
  cancelVideoFrameCallback?: (handle: number) => void;
};

/**
 * The camera's frame loop: one frame in flight, the next one sent as soon as the previous answer
 * arrives, and only a frame the camera has not shown before (so a slow camera's frame is never
 * judged twice). Core's presence policy decides; this only carries frames. The bytes are zero-filled
 * after each call and nothing is kept. Returns the function that stops the loop.
 */
export function startFrameLoop(options: FrameLoopOptions): () => void {
  const video = options.video as VideoWithFrameCallback;
  let stopped = false;
  let errors = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let frameHandle: number | undefined;
  // A new camera frame has been presented since the last grab.
  let fresh = true;
  // The step waiting for the camera's next frame, if any.
  let waiting: (() => void) | undefined;
  const watchFrames = typeof video.requestVideoFrameCallback === 'function';
  const onVideoFrame = () => {
    fresh = true;
    if (stopped) return;
    frameHandle = video.requestVideoFrameCallback!(onVideoFrame);
    const go = waiting;
    waiting = undefined;
    go?.();
  };
  if (watchFrames) frameHandle = video.requestVideoFrameCallback!(onVideoFrame);

  const later = (ms: number) => {
    if (!stopped) timer = setTimeout(() => void step(), ms);
  };

  /** Waits (briefly) for a frame the camera has not shown before, then steps. */
  const next = () => {
    if (stopped) return;
    if (!watchFrames || fresh) return void step();
    const go = () => {
      waiting = undefined;
      clearTimeout(timer);
      void step();
    };
    waiting = go;
    timer = setTimeout(go, NEW_FRAME_WAIT_MS);
  };

  const step = async () => {
    if (stopped) return;
    const frame = grabFrame(options.video, options.canvas);
    if (!frame) return later(NEW_FRAME_WAIT_MS);
    fresh = false;
    try {
      const answer = await call('checkin.frame', { session: options.session, ...frame });
      frame.data.fill(0);
      errors = 0;
      if (stopped) return;
      if (!options.onAnswer(answer)) {
        stop();
        return;
      }
    } catch {
      frame.data.fill(0);
      if (stopped) return;
      if (++errors >= MAX_FRAME_ERRORS) {
        stop();
        options.onBroken();
        return;
      }
      return later(ERROR_PAUSE_MS);
    }
    next();
  };

  const stop = () => {
    stopped = true;
    waiting = undefined;
    clearTimeout(timer);
    if (frameHandle !== undefined) video.cancelVideoFrameCallback?.(frameHandle);
  };

  void step();
  return stop;
}
