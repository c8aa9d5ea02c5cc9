import type { CallContext, Handlers } from '../../../shared/api/define.js';
import { UserFacingError } from '../../../shared/api/define.js';
import { maskDetail, type AuditLog } from '../../platform/audit/chain.js';
import { checkUpstreamUrl } from '../keys/index.js';
import type { enrolContract, syncContract, SyncStatus } from './contract.js';
import type { SyncEngine } from './engine.js';
import { enrolWithHub, EnrolFailed } from './enrol.js';
import type { Outbox } from './outbox.js';
import { redactUrl } from './upstream-http.js';

/** What the sync part's methods are made of (service.ts builds them around the engine). */
export interface SyncLogic {
  engine: SyncEngine;
  outbox: Outbox;
  status(): SyncStatus;
  /** Writes a signed export bundle to `path` (the device secret must be at hand). */
  exportTo(path: string): ReturnType<Handlers<typeof syncContract>['sync.export']>;
}

/** IT's view of the outbox and the engine: status, sync now, history, dead letters, export. */
export function syncHandlers({ engine, outbox, status, exportTo }: SyncLogic): Handlers<typeof syncContract> {
  return {
    'sync.status': () => status(),
    'sync.now': ({ untilEmpty }) => {
      const running = engine.progress()?.running ?? false;
      if (!running) {
        // Bounded so a dead upstream cannot keep "sync now" spinning forever.
        void engine.drain({ untilEmpty, deadlineMs: 10 * 60_000 }).catch(() => undefined);
      }
      return { started: !running, progress: engine.progress() };
    },
    'sync.progress': () => engine.progress(),
    'sync.history': ({ hours }) => outbox.history(new Date(Date.now() - hours * 3_600_000)),
    'sync.deadLetters': () => outbox.deadLetters(),
    'sync.requeueDead': ({ visitIds }) => ({ requeued: outbox.requeueDead(visitIds) }),
    'sync.export': ({ path }) => exportTo(path),
  };
}

/** What the kiosk presents to the hub, from its provisioning; null before it is provisioned. */
export interface EnrolIdentity {
  deviceId: string;
  publicKeyB64: string;
  clinicId: string;
  /** The upstream the kiosk delivers to, as provisioning pinned it. */
  upstreamUrl: string;
}

export interface EnrolHandlerOptions {
  identity: () => EnrolIdentity | null;
  audit: AuditLog;
  actorOf: (ctx: CallContext) => string | undefined;
  fetch?: typeof fetch;
}

/**
 * The IT screen's side of enrolment (`sync.enrolAtHub`): the same enrolWithHub and the same audit
 * row as `kioskctl provision --enrolment-token`, for IT signed in at the kiosk (the router checks
 * the role). The token goes to the hub and nowhere else: not into the audit row, not into the answer.
 */
export function enrolHandlers(options: EnrolHandlerOptions): Handlers<typeof enrolContract> {
  let enrolling = false;
  return {
    'sync.enrolAtHub': async (input, ctx) => {
      const id = options.identity();
      if (!id)
        return {
          enrolled: false,
          refusal: 'not-provisioned',
          reason: 'This kiosk is not provisioned yet: provision it (upstream key, URL, clinic) first, then enrol it.',
        };
      // The hub is the upstream this kiosk delivers to: enrolling elsewhere would leave it refused.
      if (checkUpstreamUrl(input.hubUrl) !== checkUpstreamUrl(id.upstreamUrl))
        return {
          enrolled: false,
          refusal: 'other-upstream',
          reason: `This kiosk delivers to ${redactUrl(id.upstreamUrl)}: enrol it there, or provision it for ${redactUrl(input.hubUrl)} first.`,
        };
      if (enrolling) throw new UserFacingError('Enrolment is already running.', 'failed');
      enrolling = true;
      const audit = (detail: Record<string, string | number | boolean>) =>
        options.audit.append({
          actor: options.actorOf(ctx) ?? 'unknown',
          action: 'sync.enrol',
          // The same detail as kioskctl's row (tools/kioskctl/commands/provision.ts), never the token.
          detail: { ...maskDetail({ deviceId: id.deviceId, ...detail }), via: ctx.transport },
        });
      try {
        const done = await enrolWithHub({
          upstreamUrl: id.upstreamUrl,
          token: input.token,
          deviceId: id.deviceId,
          publicKeyB64: id.publicKeyB64,
          ...(options.fetch ? { fetch: options.fetch } : {}),
        });
        audit({ ok: true, clinicId: done.clinicId, keys: done.keys });
        if (done.clinicId !== id.clinicId)
          return {
            enrolled: false,
            refusal: 'wrong-clinic',
            reason: `The hub enrolled device ${id.deviceId} for clinic ${done.clinicId}, but this kiosk was provisioned for clinic ${id.clinicId}: the token was issued for another clinic. Ask IT to revoke it at the hub and issue one for ${id.clinicId}.`,
          };
        return { enrolled: true, deviceId: done.deviceId, clinicId: done.clinicId, keys: done.keys };
      } catch (err) {
        if (!(err instanceof EnrolFailed)) throw err;
        audit({ ok: false, why: err.message });
        return { enrolled: false, refusal: err.kind, reason: err.reason };
      } finally {
        enrolling = false;
      }
    },
  };
}
