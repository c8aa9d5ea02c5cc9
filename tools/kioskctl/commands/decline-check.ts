import sharp from 'sharp';
import { z } from 'zod';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { parseQrPayload } from '../../../electron/core/patient/decline/payload.js';
import { decodeQr } from '../../../electron/core/patient/decline/qr-reader.js';

/**
 * `kioskctl decline-check --image FILE [--json]`: would the kiosk accept the QR code in this picture
 * (a photo or screenshot of a patient's eGov QR)? Answers found / accepted as a code or a share
 * token / rejected with the reason — and never prints the payload itself, which may be a live code.
 */
export const declineCheckCommand: Command = {
  name: 'decline-check',
  summary: 'Would the kiosk accept the QR code in this image? --image FILE [--json] (never prints the code)',
  async run(argv) {
    const args = parseCommandArgs(
      argv,
      z.object({
        image: z.string({ message: 'needs the picture: --image FILE' }).min(1),
        json: z.boolean().default(false),
      }),
    );
    let image: { data: Uint8ClampedArray; width: number; height: number };
    try {
      const { data, info } = await sharp(args.image).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      image = {
        data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength),
        width: info.width,
        height: info.height,
      };
    } catch {
      console.error(`decline-check: cannot read ${args.image} as an image`);
      return 2;
    }
    const text = await decodeQr(image);
    const verdict =
      text === undefined
        ? { found: false as const }
        : { found: true as const, characters: text.length, ...summarise(text) };
    if (args.json) console.log(JSON.stringify(verdict));
    else if (!verdict.found) console.log('No QR code found in the picture.');
    else if (verdict.accepted)
      console.log(
        `QR code found (${verdict.characters} characters): accepted as ${verdict.kind === 'code' ? 'an eGov six-digit code' : 'an eGov share token (EGS1)'}.`,
      );
    else console.log(`QR code found (${verdict.characters} characters): rejected (${verdict.reason}).`);
    return verdict.found && verdict.accepted ? 0 : 1;
  },
};

function summarise(text: string): { accepted: true; kind: 'code' | 'token' } | { accepted: false; reason: string } {
  const r = parseQrPayload(text);
  return r.ok ? { accepted: true, kind: r.kind } : { accepted: false, reason: r.reason };
}
