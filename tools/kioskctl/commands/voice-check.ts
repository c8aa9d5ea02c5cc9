import { z } from 'zod';
import type { Command } from '../command.js';
import { dataDirSchema, parseCommandArgs } from '../args.js';
import { createVoiceLibrary, overrideLimits } from '../../../electron/core/patient/voice/library.js';

/**
 * `kioskctl voice-check [--data-dir DIR] [--json]`: the clinic's recordings in `<data>/voice/<lang>/<key>.ogg`,
 * which ones the kiosk plays and why it refuses the others (format, length, size, name).
 * Exit 0 when every file is used, 1 when one is refused.
 */
export const voiceCheckCommand: Command = {
  name: 'voice-check',
  summary: `Which clinic recordings in <data>/voice the kiosk uses, and why not (Ogg Opus/Vorbis, ${overrideLimits.minSec}–${overrideLimits.maxSec} s, ≤ ${overrideLimits.maxBytes / 1024} KiB) [--json]`,
  async run(argv) {
    const args = parseCommandArgs(argv, z.object({ 'data-dir': dataDirSchema, json: z.boolean().default(false) }));
    const files = createVoiceLibrary({ dataDir: args['data-dir'], warn: () => {} }).overrides();
    if (args.json) console.log(JSON.stringify({ files }));
    else if (files.length === 0)
      console.log(`No clinic recordings in ${args['data-dir']}/voice: the kiosk's own clips play.`);
    else
      for (const f of files)
        console.log(
          f.used
            ? `used     ${f.file} (${f.audio!.codec}, ${f.audio!.durationSec.toFixed(1)} s)`
            : `REFUSED  ${f.file}: ${f.problem}`,
        );
    return files.every((f) => f.used) ? 0 : 1;
  },
};
