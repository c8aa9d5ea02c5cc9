import { z } from 'zod';
import type { Command } from '../command.js';
import { dataDirSchema, parseCommandArgs } from '../args.js';
import { type SyncStatus } from '../../../electron/core/delivery/sync/index.js';
import { configOrDefaults, openLocalKiosk } from '../local-kiosk.js';

/** `kioskctl status [--json]`: what IT needs after an outage, in one screen or one JSON object. */
export const statusCommand: Command = {
  name: 'status',
  summary: 'Queue depth, oldest pending, last success and error, dead letters, circuit, face backend [--json]',
  async run(argv) {
    const args = parseCommandArgs(
      argv,
      z.object({ 'data-dir': dataDirSchema, config: z.string().optional(), json: z.boolean().default(false) }),
    );
    const kiosk = await openLocalKiosk(args['data-dir'], configOrDefaults(args.config));
    try {
      const status = kiosk.sync.status();
      console.log(args.json ? JSON.stringify({ ...status, integrity: 'ok' }) : formatStatus(status));
      return 0;
    } finally {
      kiosk.close();
    }
  },
};

function age(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function formatStatus(s: SyncStatus): string {
  const rows: Array<[string, string]> = [
    ['keys', s.development ? 'DEVELOPMENT KEYS (not for patients; run kioskctl provision)' : `provisioned (upstream key ${s.upstreamKeyId})`],
    ['device', `${s.deviceId} (key ${s.keyProtection === 'safe-storage' ? 'wrapped by safeStorage' : 'in a 0600 file'})`],
    ['device public key', s.devicePublicKey],
    ['clinic', s.clinicId],
    ['upstream', s.upstreamUrl || '(none: offline, visits queue locally)'],
    ['queue depth', String(s.queueDepth)],
    ['oldest pending', s.oldestPendingAt ? `${s.oldestPendingAt} (${age(s.oldestPendingAgeS)} ago)` : '-'],
    ['sealed under old keys', String(s.pendingUnderOldKeys)],
    ['dead letters', String(s.deadLetters)],
    ['last success', s.lastSuccessAt ?? 'never'],
    ['last error', s.lastError ? `${s.lastError.at} ${s.lastError.message}` : '-'],
    ['circuit', `${s.circuit.state}${s.circuit.failures ? `, ${s.circuit.failures} failure(s)` : ''}${s.circuit.nextAttemptAt ? `, next try ${s.circuit.nextAttemptAt}` : ''}`],
    ['face backend', s.faceBackend],
    ...(s.storageError ? ([['storage error', `${s.storageError.at} ${s.storageError.kind}: ${s.storageError.message}`]] as Array<[string, string]>) : []),
    ['database integrity', 'ok'],
  ];
  return rows.map(([k, v]) => `${k.padEnd(22)} ${v}`).join('\n');
}
