/**
 * Checks that bytes are one Ogg Opus or Ogg Vorbis stream and measures its length, without decoding
 * (the kiosk carries no audio tools): every page's capture pattern, version and CRC, one logical
 * stream that begins and ends properly, and the duration from the last page's granule position.
 * Pure; used for the clinic's own recordings in `<data>/voice` (RFC 3533, RFC 7845, Vorbis I spec).
 */

export interface OggAudio {
  codec: 'opus' | 'vorbis';
  channels: number;
  durationSec: number;
}

export type OggCheck = { ok: true; audio: OggAudio } | { ok: false; problem: string };

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

function pageCrc(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    // The CRC field itself (bytes 22–25 of the page) counts as zero.
    const b = i - start >= 22 && i - start < 26 ? 0 : bytes[i]!;
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]!) >>> 0;
  }
  return crc;
}

const ascii = (bytes: Uint8Array, at: number, length: number) =>
  String.fromCharCode(...bytes.subarray(at, at + length));

export function checkOgg(bytes: Uint8Array): OggCheck {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  let serial: number | undefined;
  let first: Uint8Array | undefined;
  let lastGranule = -1n;
  let sawEnd = false;
  let pages = 0;
  // Opus packets as the pages carry them (issue 17 item 14): each one's TOC byte says how much
  // audio it holds, so the length is measured from the audio, not only from the last granule.
  let packetIndex = 0;
  let packetHead: number[] = [];
  let opusSamples = 0;
  const endPacket = () => {
    if (packetIndex >= 2 && packetHead.length > 0) opusSamples += opusPacketSamples(packetHead);
    packetIndex++;
    packetHead = [];
  };
  while (at < bytes.length) {
    if (sawEnd)
      return { ok: false, problem: 'data after the end of the stream (more than one stream is not supported)' };
    if (bytes.length - at < 27 || ascii(bytes, at, 4) !== 'OggS')
      return { ok: false, problem: pages ? `damaged Ogg page at byte ${at}` : 'not an Ogg file' };
    if (bytes[at + 4] !== 0) return { ok: false, problem: 'unknown Ogg version' };
    const flags = bytes[at + 5]!;
    const granule = view.getBigInt64(at + 6, true);
    const pageSerial = view.getUint32(at + 14, true);
    const segments = bytes[at + 26]!;
    if (bytes.length - at < 27 + segments) return { ok: false, problem: 'the file is cut off' };
    let body = 0;
    for (let i = 0; i < segments; i++) body += bytes[at + 27 + i]!;
    const end = at + 27 + segments + body;
    if (end > bytes.length) return { ok: false, problem: 'the file is cut off' };
    if (pageCrc(bytes, at, end) !== view.getUint32(at + 22, true))
      return { ok: false, problem: `checksum error in the Ogg page at byte ${at}` };
    if (pages === 0) {
      if (!(flags & 0x02)) return { ok: false, problem: 'the stream does not begin properly' };
      serial = pageSerial;
      first = bytes.subarray(at + 27 + segments, end);
    } else if (pageSerial !== serial) {
      return { ok: false, problem: 'more than one stream in the file (e.g. video or a second track)' };
    }
    let offset = at + 27 + segments;
    for (let i = 0; i < segments; i++) {
      const lace = bytes[at + 27 + i]!;
      for (let k = 0; k < lace && packetHead.length < 2; k++) packetHead.push(bytes[offset + k]!);
      offset += lace;
      if (lace < 255) endPacket();
    }
    if (granule >= 0n) lastGranule = granule;
    if (flags & 0x04) sawEnd = true;
    pages++;
    at = end;
  }
  if (!first) return { ok: false, problem: 'empty file' };
  if (!sawEnd) return { ok: false, problem: 'the stream has no end (the file is cut off)' };
  let codec: OggAudio['codec'];
  let channels: number;
  let durationSec: number;
  const head = new DataView(first.buffer, first.byteOffset, first.byteLength);
  if (first.length >= 19 && ascii(first, 0, 8) === 'OpusHead') {
    codec = 'opus';
    channels = first[9]!;
    const preSkip = head.getUint16(10, true);
    durationSec = Number(lastGranule - BigInt(preSkip)) / 48_000;
    // End trimming may drop up to one packet (120 ms); more audio than that beyond the declared end
    // would play past the length the file claims.
    if (opusSamples - Number(lastGranule) > 5760) {
      return {
        ok: false,
        problem: `the stream holds ${(opusSamples / 48_000).toFixed(1)} s of audio but says it lasts ${durationSec.toFixed(1)} s`,
      };
    }
  } else if (first.length >= 30 && first[0] === 1 && ascii(first, 1, 6) === 'vorbis') {
    codec = 'vorbis';
    channels = first[11]!;
    const rate = head.getUint32(12, true);
    if (rate < 8000 || rate > 192_000) return { ok: false, problem: 'impossible sample rate' };
    durationSec = Number(lastGranule) / rate;
  } else {
    return { ok: false, problem: 'the Ogg file holds neither Opus nor Vorbis audio' };
  }
  if (channels < 1 || channels > 2) return { ok: false, problem: 'mono or stereo only' };
  if (!Number.isFinite(durationSec) || durationSec <= 0) return { ok: false, problem: 'no audio in the file' };
  return { ok: true, audio: { codec, channels, durationSec } };
}

/** Samples (48 kHz) in one Opus packet, from its TOC byte and frame count (RFC 6716 section 3.1). */
function opusPacketSamples(head: number[]): number {
  const toc = head[0]!;
  const config = toc >> 3;
  const frameMs =
    config < 12 ? [10, 20, 40, 60][config % 4]! : config < 16 ? [10, 20][config % 2]! : [2.5, 5, 10, 20][config % 4]!;
  const code = toc & 3;
  const frames = code === 0 ? 1 : code === 3 ? (head[1] ?? 0) & 0x3f : 2;
  return frames * frameMs * 48;
}
