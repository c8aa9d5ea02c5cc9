import cliProgress from 'cli-progress';
import { z } from 'zod';
import type { Command } from '../command.js';
import { dataDirSchema, parseCommandArgs } from '../args.js';
import { type SyncProgress } from '../../../electron/core/delivery/sync/index.js';
import { configOrDefaults, openLocalKiosk } from '../local-kiosk.js';
import { auditCliAction } from './cli-audit.js';

/** Exit codes: what the shell script or the person reads after `kioskctl sync`. */
export const syncExitCodes = { delivered: 0, rejected: 3, remaining: 4, noUpstream: 5 } as const;

/** `kioskctl sync [--until-empty]`: delivers the queue now, with a progress bar; the exit code says whether everything went. */
export const syncCommand: Command = {
  name: 'sync',
  summary:
    'Deliver the queue now [--until-empty] [--timeout S]; exit 0 = all delivered, 3 = some rejected, 4 = some left, 5 = no upstream',
  async run(argv) {
    const args = parseCommandArgs(
      argv,
      z.object({
        'data-dir': dataDirSchema,
        config: z.string().optional(),
        'until-empty': z.boolean().default(false),
        timeout: z.coerce.number().int().min(1).max(86_400).default(600),
        'batch-size': z.coerce.number().int().min(1).max(1000).optional(),
        quiet: z.boolean().default(false),
      }),
    );
    const kiosk = await openLocalKiosk(
      args['data-dir'],
      configOrDefaults(args.config),
      args['batch-size'] ? { batchSize: args['batch-size'] } : {},
    );
    const bar = new cliProgress.SingleBar(
      {
        format:
          'sync |{bar}| {value}/{total} sent · {accepted} new · {duplicate} already there · {rejected} rejected · {failures} failed tries',
        hideCursor: true,
        noTTYOutput: false,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    const onProgress = (p: SyncProgress) => {
      if (args.quiet) return;
      const payload = { accepted: p.accepted, duplicate: p.duplicate, rejected: p.rejected, failures: p.failures };
      if (!started) {
        bar.start(Math.max(p.total, 1), p.sent, payload);
        started = true;
      }
      bar.setTotal(Math.max(p.total, 1));
      bar.update(p.sent, payload);
    };
    try {
      const result = await kiosk.sync.engine.drain({
        untilEmpty: args['until-empty'],
        deadlineMs: args.timeout * 1000,
        onProgress,
      });
      if (started) bar.stop();
      auditCliAction(kiosk.db, 'sync.now', {
        outcome: result.outcome,
        accepted: result.accepted,
        duplicate: result.duplicate,
        rejected: result.rejected,
        remaining: result.remaining,
      });
      const summary = `${result.accepted} delivered, ${result.duplicate} already at the upstream, ${result.rejected} rejected (dead letters), ${result.remaining} still queued`;
      if (result.outcome === 'no-upstream') {
        console.error('No upstream is configured: provision the kiosk (kioskctl provision) or set sync.upstreamUrl.');
        return syncExitCodes.noUpstream;
      }
      console.log(summary + (result.lastError && result.remaining ? `; last error: ${result.lastError}` : ''));
      if (result.remaining > 0) return syncExitCodes.remaining;
      if (result.rejected > 0) return syncExitCodes.rejected;
      return syncExitCodes.delivered;
    } finally {
      if (started) bar.stop();
      kiosk.close();
    }
  },
};
