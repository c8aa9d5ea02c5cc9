import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';
// The decoder's .wasm, bundled from the installed package and served by the kiosk itself: zxing-wasm
// would otherwise fetch it from a CDN, and the kiosk loads nothing from outside.
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

let prepared = false;

function prepare(): void {
  if (prepared) return;
  prepared = true;
  prepareZXingModule({
    overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? wasmUrl : prefix + path) },
  });
}

/** QR only, one symbol, fast path: the camera gives another chance every frame. */
const options: ReaderOptions = { formats: ['QRCode'], maxNumberOfSymbols: 1, tryHarder: false, tryInvert: false };

/** Largest frame decoded: a phone screen's QR code held to the kiosk is large; more pixels only cost time. */
const MAX_SIDE = 640;

/**
 * Reads QR codes from a live video at camera frame rate: each new frame (requestVideoFrameCallback)
 * is decoded unless the previous one is still being decoded, so the screen never queues work.
 * The decoded text goes to `onText` and nowhere else: never logged, never put into the page.
 */
export function scanVideo(
  video: HTMLVideoElement,
  canvas: HTMLCanvasElement,
  onText: (text: string) => void,
): () => void {
  prepare();
  let stopped = false;
  let decoding = false;
  let handle = 0;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });

  const decode = async () => {
    const vw = video.videoWidth;
    const vh = video.videoHeight;
    if (!ctx || !vw || !vh || video.readyState < 2) return;
    const scale = Math.min(1, MAX_SIDE / Math.max(vw, vh));
    const width = Math.round(vw * scale);
    const height = Math.round(vh * scale);
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    ctx.drawImage(video, 0, 0, width, height);
    const image = ctx.getImageData(0, 0, width, height);
    const results = await readBarcodes(image, options);
    image.data.fill(0);
    const hit = results.find((r) => r.isValid);
    if (hit && !stopped) onText(hit.text);
  };

  const next = () => {
    if (stopped) return;
    handle = 'requestVideoFrameCallback' in video ? video.requestVideoFrameCallback(tick) : requestAnimationFrame(tick);
  };
  function tick() {
    if (stopped) return;
    if (!decoding) {
      decoding = true;
      decode()
        .catch(() => undefined) // a bad frame is just a frame without a code
        .finally(() => {
          decoding = false;
        });
    }
    next();
  }
  next();

  return () => {
    stopped = true;
    if ('cancelVideoFrameCallback' in video) video.cancelVideoFrameCallback(handle);
    cancelAnimationFrame(handle);
    ctx?.clearRect(0, 0, canvas.width, canvas.height);
  };
}
