import QRCode from 'qrcode';
import type { CallContext, Handlers } from '../../../shared/api/define.js';
import { UserFacingError } from '../../../shared/api/define.js';
import type { staffContract } from './contract.js';
import { usernameSchema } from './accounts.js';
import type { Enrolment, StaffService } from './service.js';

/** The QR of the otpauth URI as a row-major 0/1 string; the screen draws it (no image, no CSP hole). */
export function enrolmentQr(uri: string): { size: number; modules: string } {
  const qr = QRCode.create(uri, { errorCorrectionLevel: 'M' });
  let modules = '';
  for (let i = 0; i < qr.modules.size * qr.modules.size; i++) modules += qr.modules.data[i] ? '1' : '0';
  return { size: qr.modules.size, modules };
}

const withQr = (e: Enrolment) => ({ ...e, qr: enrolmentQr(e.otpauthUri) });

/** The caller's session, which the router has already checked for methods with roles. */
export function sessionOf(staff: StaffService, ctx: CallContext) {
  const s = staff.sessions.get(ctx.session, false);
  if (!s) throw new UserFacingError('Staff login required', 'unauthenticated');
  return s;
}

export function staffHandlers(staff: StaffService, idleLogoutMs: number): Handlers<typeof staffContract> {
  const info = (ctx: CallContext) => {
    const s = staff.sessions.get(ctx.session);
    const a = s && staff.accounts.byId(s.staffId);
    return s && a
      ? {
          active: true,
          staffId: s.staffId,
          username: s.username,
          displayName: a.displayName,
          role: s.role,
          idleLogoutMs,
        }
      : { active: false, idleLogoutMs };
  };
  return {
    'staff.login': async ({ username, password, code }) => {
      const s = await staff.login(username, password, code);
      const a = staff.accounts.byId(s.staffId)!;
      return {
        active: true,
        session: s.token,
        staffId: s.staffId,
        username: s.username,
        displayName: a.displayName,
        role: s.role,
        idleLogoutMs,
      };
    },
    'staff.logout': (_input, ctx) => {
      staff.logout(ctx.session);
      return { ok: true as const };
    },
    'staff.session': (_input, ctx) => info(ctx),
    'staff.patientTouch': () => ({ ended: staff.patientTouched() }),
    'staff.list': () => ({ accounts: staff.list(), unknownUsernameFailures24h: staff.unknownUsernameFailures24h() }),
    'staff.add': async (input, ctx) => {
      const username = usernameSchema.safeParse(input.username);
      if (!username.success) throw new UserFacingError(username.error.issues[0]!.message, 'bad-input');
      return withQr(await staff.add({ staffId: sessionOf(staff, ctx).staffId }, { ...input, username: username.data }));
    },
    'staff.setRole': ({ staffId, role }, ctx) => {
      staff.setRole({ staffId: sessionOf(staff, ctx).staffId }, staffId, role);
      return { ok: true as const };
    },
    'staff.unlock': ({ staffId }, ctx) => {
      staff.unlock({ staffId: sessionOf(staff, ctx).staffId }, staffId);
      return { ok: true as const };
    },
    'staff.setDisabled': ({ staffId, disabled }, ctx) => {
      staff.setDisabled({ staffId: sessionOf(staff, ctx).staffId }, staffId, disabled);
      return { ok: true as const };
    },
    'staff.reset': async ({ staffId, password }, ctx) =>
      withQr(await staff.reset({ staffId: sessionOf(staff, ctx).staffId }, staffId, password)),
  };
}
