import type { MethodOutput } from '../../../../electron/shared/api/define';
import type { KioskContract } from '../../../../electron/core/contract';

export type SyncStatus = MethodOutput<KioskContract, 'sync.status'>;
export type SyncProgress = NonNullable<MethodOutput<KioskContract, 'sync.progress'>>;
export type HistoryPoint = MethodOutput<KioskContract, 'sync.history'>[number];
export type DeadLetter = MethodOutput<KioskContract, 'sync.deadLetters'>[number];

/** The `sync.progress` event's data, checked before use (events are plain JSON). */
export function asProgress(data: unknown): SyncProgress | null {
  if (typeof data !== 'object' || data === null) return null;
  const d = data as Record<string, unknown>;
  const nums = ['total', 'sent', 'accepted', 'duplicate', 'rejected', 'failures', 'remaining'] as const;
  if (typeof d.running !== 'boolean' || !nums.every((k) => typeof d[k] === 'number') || typeof d.outcome !== 'string')
    return null;
  return data as SyncProgress;
}
