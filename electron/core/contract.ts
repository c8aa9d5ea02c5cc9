import type { Contract, EventContract } from '../shared/api/define.js';
import { systemContract, systemEvents } from './system/contract.js';
import { enrolContract, syncContract, syncEvents } from './delivery/sync/contract.js';
import { checkinContract } from './patient/checkin/contract.js';
import { staffPartContract } from './staff/contract.js';
import { handoffsEvents } from './staff/handoffs/contract.js';
import { declineContract } from './patient/decline/contract.js';
import { keysContract } from './delivery/keys/contract.js';
import { cameraContract } from './patient/camera/contract.js';
import { helpContract } from './patient/help/contract.js';
import { voiceContract } from './patient/voice/contract.js';

/**
 * The whole core API, one source of truth for IPC, kioskctl, the browser host and the preload's
 * types. Each part of core declares its methods in its own `contract.ts`; they are merged here.
 */
export const contract = {
  ...systemContract,
  ...syncContract,
  ...enrolContract,
  ...checkinContract,
  ...staffPartContract,
  ...declineContract,
  ...keysContract,
  ...cameraContract,
  ...helpContract,
  ...voiceContract,
} satisfies Contract;

export type KioskContract = typeof contract;

/** Every event core pushes to the screens, merged the same way; a topic not here cannot be emitted. */
export const events = { ...systemEvents, ...syncEvents, ...handoffsEvents } satisfies EventContract;
export type KioskEvents = typeof events;
export type EventTopic = keyof KioskEvents & string;
/** Shared vocabulary the screens need as types (one list each, in handoffs/reasons.ts). */
export type { HandoffReason, PatientScreen, PhotoPathEnd } from '../shared/vocabulary/reasons.js';
export type MethodName = keyof KioskContract & string;
