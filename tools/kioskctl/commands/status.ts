import { z } from 'zod';
import type { Command } from '../command.js';
import { dataDirSchema, parseCommandArgs } from '../args.js';
import { type SyncStatus } from '../../../electron/core/delivery/sync/index.js';
import { configOrDefaults, openLocalKiosk } from '../local-kiosk.js';
import { shippedDir } from '../../../electron/core/platform/resources.js';
import { textureModelState } from '../../../electron/core/face/texture-package.js';

export type TextureModelStatus =
  { state: 'ok'; modelId: string; threshold: number } | { state: 'off' } | { state: 'broken'; problem: string };

/** The texture model (screen and print detection) as the engine would find it: verified, off, or why the photo path is stopped. */
export function textureStatus(mode: 'on' | 'off', threshold: number, modelsDir?: string): TextureModelStatus {
  if (mode === 'off') return { state: 'off' };
  let dir: string;
  try {
    dir = modelsDir ?? shippedDir('models');
  } catch (err) {
    return { state: 'broken', problem: err instanceof Error ? err.message : String(err) };
  }
  const s = textureModelState(dir);
  return s.ok ? { state: 'ok', modelId: s.modelId, threshold } : { state: 'broken', problem: s.problem };
}

/** `kioskctl status [--json]`: what IT needs after an outage, in one screen or one JSON object. */
export const statusCommand: Command = {
  name: 'status',
  summary: 'Queue depth, oldest pending, last success and error, dead letters, circuit, face backend [--json]',
  async run(argv) {
    const args = parseCommandArgs(
      argv,
      z.object({ 'data-dir': dataDirSchema, config: z.string().optional(), json: z.boolean().default(false) }),
    );
    const config = configOrDefaults(args.config);
    const kiosk = await openLocalKiosk(args['data-dir'], config);
    try {
      const status = kiosk.sync.status();
      const texture = textureStatus(config.presence.texture.mode, config.presence.texture.minRealScore);
      console.log(
        args.json
          ? JSON.stringify({ ...status, textureModel: texture, integrity: 'ok' })
          : `${formatStatus(status)}\n${formatTexture(texture)}`,
      );
      return 0;
    } finally {
      kiosk.close();
    }
  },
};

export function formatTexture(t: TextureModelStatus): string {
  const value =
    t.state === 'ok'
      ? `${t.modelId} verified (threshold ${t.threshold})`
      : t.state === 'off'
        ? 'OFF (presence.texture.mode): screen replays and prints are not refused'
        : `BROKEN, photo check stopped: ${t.problem}`;
  return `${'texture model'.padEnd(22)} ${value}`;
}

function age(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function formatStatus(s: SyncStatus): string {
  const rows: Array<[string, string]> = [
    [
      'keys',
      s.development
        ? 'DEVELOPMENT KEYS (not for patients; run kioskctl provision)'
        : `provisioned (upstream key ${s.upstreamKeyId})`,
    ],
    [
      'device',
      `${s.deviceId} (key ${s.keyProtection === 'safe-storage' ? 'wrapped by safeStorage' : 'in a 0600 file'})`,
    ],
    ['device public key', s.devicePublicKey],
    ['clinic', s.clinicId],
    ['upstream', s.upstreamUrl || '(none: offline, visits queue locally)'],
    ['queue depth', String(s.queueDepth)],
    ['oldest pending', s.oldestPendingAt ? `${s.oldestPendingAt} (${age(s.oldestPendingAgeS)} ago)` : '-'],
    ['sealed under old keys', String(s.pendingUnderOldKeys)],
    ['dead letters', String(s.deadLetters)],
    ['last success', s.lastSuccessAt ?? 'never'],
    ['last error', s.lastError ? `${s.lastError.at} ${s.lastError.message}` : '-'],
    [
      'circuit',
      `${s.circuit.state}${s.circuit.failures ? `, ${s.circuit.failures} failure(s)` : ''}${s.circuit.nextAttemptAt ? `, next try ${s.circuit.nextAttemptAt}` : ''}`,
    ],
    ['face backend', s.faceBackend],
    ...(s.storageError
      ? ([['storage error', `${s.storageError.at} ${s.storageError.kind}: ${s.storageError.message}`]] as Array<
          [string, string]
        >)
      : []),
    ['database integrity', 'ok'],
  ];
  return rows.map(([k, v]) => `${k.padEnd(22)} ${v}`).join('\n');
}
