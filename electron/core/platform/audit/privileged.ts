import { createHash } from 'node:crypto';
import type { CallContext, Contract, Handlers } from '../../../shared/api/define.js';
import type { Router } from '../../../shared/api/router.js';
import { maskDetail, type AuditLog } from './chain.js';

/**
 * Wraps every handler of a method that has `roles` so each successful call by a staff member is an
 * audit row (`action` = the method name, `actor` = the staff id). This covers the views, exports,
 * configuration changes and syncs of every part, including methods added later by others, without
 * each part remembering to audit. The input is never written (it may hold an IIN); an identical
 * call by the same person within `repeatMs` (a screen refreshing a list) is recorded once.
 */
export function auditPrivilegedCalls<C extends Contract>(
  contract: C,
  handlers: Handlers<C>,
  audit: AuditLog,
  actorOf: (ctx: CallContext) => string | undefined,
  options: { repeatMs?: number; now?: () => number } = {},
): Handlers<C> {
  const repeatMs = options.repeatMs ?? 30_000;
  const now = options.now ?? Date.now;
  const lastSeen = new Map<string, number>();
  const out = { ...handlers };
  for (const name of Object.keys(contract) as Array<keyof C & string>) {
    if (!contract[name]!.roles) continue;
    const inner = handlers[name];
    out[name] = (async (input: unknown, ctx: CallContext) => {
      const result = await (inner as (i: unknown, c: CallContext) => unknown)(input, ctx);
      const actor = actorOf(ctx) ?? 'unknown';
      const key = `${actor}\n${name}\n${createHash('sha256')
        .update(JSON.stringify(input) ?? '')
        .digest('hex')}`;
      const t = now();
      if ((lastSeen.get(key) ?? -Infinity) + repeatMs <= t) {
        lastSeen.set(key, t);
        if (lastSeen.size > 1000) lastSeen.clear();
        const extra = contract[name]!.auditDetail?.(result as never) ?? {};
        audit.append({ actor, action: name, detail: { ...maskDetail(extra), via: ctx.transport } });
      }
      return result;
    }) as Handlers<C>[typeof name];
  }
  return out;
}

/**
 * Records refused calls ("forbidden": a signed-in person asked for something outside their role),
 * so someone browsing beyond their role leaves a trace. Repeats within `repeatMs` are recorded once.
 */
export function auditRefusals(
  router: Router,
  audit: AuditLog,
  actorOf: (ctx: CallContext) => string | undefined,
  options: { repeatMs?: number; now?: () => number } = {},
): Router {
  const repeatMs = options.repeatMs ?? 30_000;
  const now = options.now ?? Date.now;
  const lastSeen = new Map<string, number>();
  const known = new Set(router.methods());
  return {
    methods: () => router.methods(),
    async call(method, input, ctx) {
      const result = await router.call(method, input, ctx);
      if (!result.ok && result.error.code === 'forbidden') {
        const actor = actorOf(ctx) ?? 'unknown';
        const name = known.has(method) ? method : 'unknown-method';
        const key = `${actor}\n${name}`;
        const t = now();
        if ((lastSeen.get(key) ?? -Infinity) + repeatMs <= t) {
          lastSeen.set(key, t);
          if (lastSeen.size > 1000) lastSeen.clear();
          audit.append({ actor, action: 'access-refused', detail: { method: name, via: ctx.transport } });
        }
      }
      return result;
    },
  };
}
