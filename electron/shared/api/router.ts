import type { CallContext, CallError, CallResult, Contract, Handlers, Role } from './define.js';
import { UserFacingError } from './define.js';

/** Resolves a staff session token to the person's role (the staff module provides it). */
export interface SessionResolver {
  roleOf(session: string | undefined): Role | undefined;
}

const noSessions: SessionResolver = { roleOf: () => undefined };

export interface Router {
  call(method: string, input: unknown, ctx: CallContext): Promise<CallResult<unknown>>;
  methods(): string[];
}

/**
 * The single entry point into core for Electron IPC, kioskctl and the browser host: looks the
 * method up, validates the input against its schema, checks the caller's role, runs the handler
 * and validates what it returns. Errors come back as values with a message fit for a screen.
 */
export function createRouter<C extends Contract>(
  contract: C,
  handlers: Handlers<C>,
  sessions: SessionResolver = noSessions,
): Router {
  return {
    methods: () => Object.keys(contract),
    async call(method, input, ctx) {
      if (!Object.hasOwn(contract, method))
        return fail('unknown-method', `No such method: ${String(method).slice(0, 80)}`);
      const spec = contract[method]!;
      if (spec.roles) {
        const role = sessions.roleOf(ctx.session);
        if (!role) return fail('unauthenticated', 'Staff login required');
        if (!spec.roles.includes(role))
          return fail('forbidden', `This needs one of the roles: ${spec.roles.join(', ')}`);
      }
      const parsed = spec.input.safeParse(input);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
        return fail('bad-input', `${method}: ${issues}`);
      }
      try {
        const handler = handlers[method as keyof C]!;
        const raw = await handler(parsed.data as never, ctx);
        const out = spec.output.safeParse(raw);
        if (!out.success) return fail('failed', `${method}: internal error (unexpected result)`);
        return { ok: true, value: out.data };
      } catch (err) {
        if (err instanceof UserFacingError) return fail(err.code, err.message, err.key);
        // Unknown errors may carry PII in their text: log the kind only, show a generic message.
        console.error(`[core] ${method} failed: ${err instanceof Error ? err.name : typeof err}`);
        return fail('failed', `${method} failed`);
      }
    },
  };
}

function fail(code: CallError['code'], message: string, key?: CallError['key']): CallResult<never> {
  return { ok: false, error: key === undefined ? { code, message } : { code, message, key } };
}
