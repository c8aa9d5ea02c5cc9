import QRCode from 'qrcode';
import sharp from 'sharp';

/** A QR code image generated at test time (qrcode → PNG → raw RGBA through sharp). */
export async function qrPng(text: string | Uint8Array, width = 360): Promise<Buffer> {
  const data = typeof text === 'string' ? text : [{ data: Buffer.from(text), mode: 'byte' as const }];
  return QRCode.toBuffer(data as string, { errorCorrectionLevel: 'M', margin: 4, width, type: 'png' });
}

export async function qrRgba(text: string | Uint8Array, width = 360): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
  const { data, info } = await sharp(await qrPng(text, width)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}
