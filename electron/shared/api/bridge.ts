import type { z } from 'zod';
import type { CallResult, Contract, EventContract, MethodInput, MethodOutput } from './define.js';

/**
 * `window.kiosk`: the only door from the renderer into core. The Electron preload (over IPC) and
 * the browser host (over a Playwright binding) both implement this one interface over the
 * kiosk's contract (`KioskBridge<KioskContract>`, electron/core/contract.ts), so the renderer
 * cannot tell them apart except through `host`.
 */
export interface KioskBridge<C extends Contract = Contract> {
  /** Calls one contract method; core validates the input and answers with a value, never a throw. */
  call<K extends keyof C & string>(method: K, input: MethodInput<C, K>): Promise<CallResult<MethodOutput<C, K>>>;
  /** Listens to events core pushes (e.g. sync progress); returns the function that stops listening. */
  onEvent(listener: (event: KioskEvent) => void): () => void;
  /** Which shell runs the renderer (for diagnostics only; behaviour must not depend on it). */
  readonly host: 'electron' | 'browser-host';
}

/** One event pushed from core to the screen. `data` is plain JSON; the screen validates it. */
export interface KioskEvent {
  /** `part.name`, e.g. `sync.progress`. */
  topic: string;
  data: unknown;
}

export type KioskEventListener = (event: KioskEvent) => void;

/**
 * Where core publishes events and each shell subscribes to forward them to its window. Only the
 * topics the contract declares (`events` in electron/core/contract.ts), each with its data's type.
 */
export interface EventHub<E extends EventContract = EventContract> {
  emit<K extends keyof E & string>(topic: K, data: z.input<E[K]['data']>): void;
  subscribe(listener: KioskEventListener): () => void;
}

/** A tiny synchronous event hub; a failing listener never breaks the emitter or the others. */
export function createEventHub<E extends EventContract>(): EventHub<E> {
  const listeners = new Set<KioskEventListener>();
  return {
    emit(topic, data) {
      for (const listener of [...listeners]) {
        try {
          listener({ topic, data });
        } catch {
          // A shell's forwarding failure (window gone) must not reach core's code path.
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** IPC channel names shared by main and preload (kept here so both spell them the same way). */
export const ipcChannels = { call: 'kiosk:call', event: 'kiosk:event' } as const;
