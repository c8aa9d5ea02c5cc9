import type { Contract } from './define.js';
import { systemContract } from '../system/contract.js';
import { syncContract } from '../sync/contract.js';
import { checkinContract } from '../checkin/contract.js';
import { staffPartContract } from '../staff/part-contract.js';
import { declineContract } from '../decline/contract.js';
import { keysContract } from '../keys/contract.js';
import { cameraContract } from '../camera/contract.js';

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
} satisfies Contract;

export type KioskContract = typeof contract;
export type MethodName = keyof KioskContract & string;
