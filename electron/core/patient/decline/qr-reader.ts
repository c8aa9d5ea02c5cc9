import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';

/**
 * QR decoding in Node (tests, kioskctl) with the same zxing-wasm build the kiosk screen uses. The
 * .wasm comes from the installed package as `wasmBinary`; zxing-wasm would otherwise fetch it from a
 * CDN, which a kiosk must never do.
 */
let prepared: Promise<unknown> | undefined;

function prepare(): Promise<unknown> {
  if (!prepared) {
    const require = createRequire(import.meta.url);
    const wasm = readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
    const wasmBinary = wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer;
    prepared = prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true });
  }
  return prepared;
}

export interface RgbaImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

const options: ReaderOptions = { formats: ['QRCode'], maxNumberOfSymbols: 1, tryHarder: true };

/** The text of the first valid QR code in an RGBA image, or undefined when there is none. */
export async function decodeQr(image: RgbaImage): Promise<string | undefined> {
  await prepare();
  // zxing-wasm reads any { data, width, height } RGBA image; its type names the DOM's ImageData.
  const results = await readBarcodes(image as unknown as Parameters<typeof readBarcodes>[0], options);
  return results.find((r) => r.isValid)?.text;
}
