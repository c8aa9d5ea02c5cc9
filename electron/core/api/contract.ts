import type { Contract } from './define.js';
import { systemContract } from '../system/contract.js';
import { syncContract } from '../sync/contract.js';
import { checkinContract } from '../checkin/contract.js';
import { staffPartContract } from '../staff/part-contract.js';
import { declineContract } from '../decline/contract.js';
import { keysContract } from '../keys/contract.js';
import { cameraContract } from '../camera/contract.js';
import { helpContract } from '../handoffs/help.js';
import { voiceContract } from '../voice/contract.js';

/**
 * The whole core API, one source of truth for IPC, kioskctl, the browser host and the preload's
 * types. Each part of core declares its methods in its own `contract.ts`; they are merged here.
 */
export const contract = {
  ...systemContract,
  ...syncContract,
  ...checkinContract,
  ...staffPartContract,
  ...declineContract,
  ...keysContract,
  ...cameraContract,
  ...helpContract,
  ...voiceContract,
} satisfies Contract;

export type KioskContract = typeof contract;
/** Shared vocabulary the screens need as types (one list each, in handoffs/reasons.ts). */
export type { HandoffReason, PatientScreen, PhotoPathEnd } from '../handoffs/reasons.js';
export type MethodName = keyof KioskContract & string;
