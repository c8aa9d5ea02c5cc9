import { z } from 'zod';
import type { ErrorKey } from '../vocabulary/error-keys.js';

/** Staff roles; patient-facing methods have none. Checked in the router, never only in the UI. */
export const roles = ['reception', 'it', 'admin'] as const;
export type Role = (typeof roles)[number];

export interface MethodSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  /** Roles allowed to call; absent means the method is open to the patient screen. */
  roles?: readonly Role[];
  /** One line for the README's contract table and error messages. */
  summary: string;
  /**
   * For methods with roles: what the audit row of a successful call records besides `via`, taken
   * from the output (never the input, which may hold an IIN), e.g. an export's file and count.
   */
  auditDetail?: (output: z.output<O>) => Record<string, string | number | boolean | null>;
}

export type Contract = Record<string, MethodSpec>;

/** Declares one contract method; keeps the literal types of its schemas. */
export function method<I extends z.ZodType, O extends z.ZodType>(spec: MethodSpec<I, O>): MethodSpec<I, O> {
  return spec;
}

/** One event core pushes to the screens: its topic is the key in a part's `events`, its data a schema. */
export interface EventSpec<D extends z.ZodType = z.ZodType> {
  summary: string;
  data: D;
}
export type EventContract = Record<string, EventSpec>;

/** Declares one event; keeps the literal type of its data schema. */
export function event<D extends z.ZodType>(spec: EventSpec<D>): EventSpec<D> {
  return spec;
}

export type MethodInput<C extends Contract, K extends keyof C> = z.input<C[K]['input']>;
export type MethodOutput<C extends Contract, K extends keyof C> = z.output<C[K]['output']>;

/** Who is calling: the transport fills this in, never the caller's payload. */
export interface CallContext {
  transport: 'ipc' | 'cli' | 'browser-host' | 'test';
  /** Opaque staff session token the renderer got from staff login, if any. */
  session?: string;
}

export type Handlers<C extends Contract> = {
  [K in keyof C]: (
    input: z.output<C[K]['input']>,
    ctx: CallContext,
  ) => Promise<z.input<C[K]['output']>> | z.input<C[K]['output']>;
};

export type ErrorCode = 'unknown-method' | 'bad-input' | 'unauthenticated' | 'forbidden' | 'failed';

export { errorKeys, type ErrorKey } from '../vocabulary/error-keys.js';

export interface CallError {
  code: ErrorCode;
  message: string;
  /** Present when the screen has its own words for this error. */
  key?: ErrorKey;
}
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: CallError };

/** A thrown error whose message is safe to show (no PII, no stack). */
export class UserFacingError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode = 'failed',
    readonly key?: ErrorKey,
  ) {
    super(message);
  }
}
