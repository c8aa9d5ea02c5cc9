import type { Role } from '../../../shared/api/define.js';
import { UserFacingError } from '../../../shared/api/define.js';
import type { AuditLog } from '../../platform/audit/chain.js';
import type { KioskConfig } from '../../platform/config/schema.js';
import { AccountStore, DuplicateUsernameError, type StaffAccount } from './accounts.js';
import { afterFailure, afterSuccess, afterUnlock, isLocked } from './lockout.js';
import { LoginThrottle } from './login-throttle.js';
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from './password.js';
import { SessionManager, type StaffSession } from './sessions.js';
import { newTotpSecret, totpUri, verifyTotp } from './totp.js';

export interface PublicAccount {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  locked: boolean;
  lockedUntil: string | null;
  failures: number;
  createdAt: string;
}

export interface Enrolment {
  staffId: string;
  username: string;
  /** Shown once (QR and text) for the person's authenticator app; never retrievable later. */
  otpauthUri: string;
}

/** Who did it, for the audit: a staff member's id, or the command line. */
export type Actor = { staffId: string } | 'cli';
const actorName = (a: Actor): string => (a === 'cli' ? 'cli' : a.staffId);

const WRONG = 'Wrong username, password or code';

/** What a login needs from its service. */
interface LoginDeps {
  accounts: AccountStore;
  audit: AuditLog;
  policy: KioskConfig['staff'];
  now: () => number;
  throttle: LoginThrottle;
  sessions: SessionManager;
}

async function login(deps: LoginDeps, usernameRaw: string, password: string, code: string): Promise<StaffSession> {
  const { accounts, audit, policy, throttle, sessions } = deps;
  const username = usernameRaw.trim().toLowerCase();
  const found = accounts.byUsername(username);
  const account = found && !found.disabled ? found : undefined;
  const t = deps.now();
  // One store for every name, real or not, persisted and bounded alike, so no answer — after a
  // restart or a flood of other names — tells which names exist. (A real account's count is
  // copied to its row for admins to see.)
  const state = throttle.get(username);
  if (isLocked(state, t)) {
    audit.append({
      actor: account?.id ?? 'unknown',
      action: 'staff.login-refused',
      detail: { why: account ? 'locked' : 'no-such-user' },
    });
    throw new UserFacingError(lockedMessage(state.lockedUntil!), 'unauthenticated', 'staff.locked');
  }
  if (!account) {
    await verifyPassword(await decoyHash(), password); // same cost as a real check
    const next = afterFailure(state, t, policy);
    throttle.set(username, next, t);
    // Never the typed name: it may be a password typed into the wrong field (docs/staff.md).
    audit.append({
      actor: found?.id ?? 'unknown',
      action: 'staff.login-failed',
      detail: { why: found ? 'disabled' : 'no-such-user' },
    });
    if (isLocked(next, t))
      throw new UserFacingError(lockedMessage(next.lockedUntil!), 'unauthenticated', 'staff.locked');
    throw new UserFacingError(WRONG, 'unauthenticated', 'staff.wrong-credentials');
  }
  const passwordOk = await verifyPassword(account.passwordHash, password);
  // The code is checked even after a wrong password so the answer does not say which one failed.
  const step = verifyTotp(account.totpSecret, code, account.totpLastStep, t);
  if (!passwordOk || step === undefined) {
    const next = afterFailure(state, t, policy);
    throttle.set(username, next, t);
    accounts.setLockout(account.id, next);
    audit.append({
      actor: account.id,
      action: 'staff.login-failed',
      detail: { why: !passwordOk ? 'password' : 'code', failures: next.failures },
    });
    if (isLocked(next, t)) {
      sessions.endFor(account.id);
      audit.append({
        actor: account.id,
        action: 'staff.locked',
        detail: { until: new Date(next.lockedUntil!).toISOString() },
      });
      throw new UserFacingError(lockedMessage(next.lockedUntil!), 'unauthenticated', 'staff.locked');
    }
    throw new UserFacingError(WRONG, 'unauthenticated', 'staff.wrong-credentials');
  }
  accounts.setLockout(account.id, afterSuccess());
  throttle.reset(username);
  accounts.setTotpLastStep(account.id, step);
  const session = sessions.start({ staffId: account.id, username: account.username, role: account.role });
  audit.append({ actor: account.id, action: 'staff.login', detail: { role: account.role } });
  return session;
}

/**
 * Staff accounts, login with password + TOTP, lockout and sessions. Every login, failed login,
 * lock, unlock and account change is written to the audit chain.
 */
export function createStaffService(
  accounts: AccountStore,
  audit: AuditLog,
  policy: KioskConfig['staff'],
  now: () => number = Date.now,
) {
  /** Every typed username's lockout, real or not, in one store with one lifetime (issue 17 item 10). */
  const throttle = new LoginThrottle(accounts.database);
  const sessions = new SessionManager(policy.idleLogoutMs, now, policy.maxSessionMs, {
    onExpired: (s, why) => audit.append({ actor: s.staffId, action: 'staff.session-ended', detail: { why } }),
  });

  function mustGet(staffId: string): StaffAccount {
    const a = accounts.byId(staffId);
    if (!a) throw new UserFacingError('No such staff account', 'bad-input');
    return a;
  }

  /** Failed logins with a username that is no account in the last 24 h: a count for staff, never the names. */
  function unknownUsernameFailures24h(): number {
    return audit.count('staff.login-failed', new Date(now() - 86_400_000).toISOString(), {
      why: 'no-such-user',
    });
  }

  function logout(token: string | undefined): void {
    const s = sessions.end(token);
    if (s) audit.append({ actor: s.staffId, action: 'staff.logout', detail: {} });
  }

  /** A patient touched the screen: every staff session ends. */
  function patientTouched(): number {
    return sessions.endAll('patient-touch');
  }

  async function add(
    actor: Actor,
    input: { username: string; displayName: string; role: Role; password: string },
  ): Promise<Enrolment> {
    const problem = passwordProblem(input.password);
    if (problem) throw new UserFacingError(problem, 'bad-input');
    const totpSecret = newTotpSecret();
    let account: StaffAccount;
    try {
      account = accounts.create({
        username: input.username,
        displayName: input.displayName,
        role: input.role,
        passwordHash: await hashPassword(input.password),
        totpSecret,
      });
    } catch (err) {
      if (err instanceof DuplicateUsernameError) throw new UserFacingError(err.message, 'bad-input');
      throw err;
    }
    audit.append({
      actor: actorName(actor),
      action: 'staff.account-created',
      detail: { staffId: account.id, username: account.username, role: account.role },
    });
    return { staffId: account.id, username: account.username, otpauthUri: totpUri(totpSecret, account.username) };
  }

  function list(): PublicAccount[] {
    const t = now();
    return accounts.all().map((a) => ({
      id: a.id,
      username: a.username,
      displayName: a.displayName,
      role: a.role,
      disabled: a.disabled,
      locked: isLocked(a, t),
      lockedUntil: isLocked(a, t) ? new Date(a.lockedUntil!).toISOString() : null,
      failures: a.failures,
      createdAt: a.createdAt,
    }));
  }

  function unlock(actor: Actor, staffId: string): void {
    const a = mustGet(staffId);
    accounts.setLockout(a.id, afterUnlock());
    throttle.reset(a.username);
    audit.append({ actor: actorName(actor), action: 'staff.unlocked', detail: { staffId: a.id } });
  }

  function setRole(actor: Actor, staffId: string, role: Role): void {
    const a = mustGet(staffId);
    if (a.role === role) return;
    if (a.role === 'admin' && !a.disabled && accounts.activeAdmins() <= 1)
      throw new UserFacingError('The last admin cannot lose the admin role', 'bad-input');
    accounts.setRole(a.id, role);
    sessions.endFor(a.id);
    audit.append({
      actor: actorName(actor),
      action: 'staff.role-changed',
      detail: { staffId: a.id, from: a.role, to: role },
    });
  }

  function setDisabled(actor: Actor, staffId: string, disabled: boolean): void {
    const a = mustGet(staffId);
    if (disabled && a.role === 'admin' && !a.disabled && accounts.activeAdmins() <= 1)
      throw new UserFacingError('The last admin cannot be disabled', 'bad-input');
    accounts.setDisabled(a.id, disabled);
    if (disabled) sessions.endFor(a.id);
    audit.append({
      actor: actorName(actor),
      action: disabled ? 'staff.account-disabled' : 'staff.account-enabled',
      detail: { staffId: a.id },
    });
  }

  /** New password and a new TOTP secret (a lost phone); the new enrolment is shown once. */
  async function reset(actor: Actor, staffId: string, password: string): Promise<Enrolment> {
    const a = mustGet(staffId);
    const problem = passwordProblem(password);
    if (problem) throw new UserFacingError(problem, 'bad-input');
    const secret = newTotpSecret();
    accounts.setPassword(a.id, await hashPassword(password));
    accounts.setTotpSecret(a.id, secret);
    accounts.setLockout(a.id, afterUnlock());
    sessions.endFor(a.id);
    audit.append({ actor: actorName(actor), action: 'staff.account-reset', detail: { staffId: a.id } });
    return { staffId: a.id, username: a.username, otpauthUri: totpUri(secret, a.username) };
  }

  return {
    accounts,
    sessions,
    login: (username: string, password: string, code: string): Promise<StaffSession> =>
      login({ accounts, audit, policy, now, throttle, sessions }, username, password, code),
    unknownUsernameFailures24h,
    logout,
    patientTouched,
    add,
    list,
    unlock,
    setRole,
    setDisabled,
    reset,
  };
}

export type StaffService = ReturnType<typeof createStaffService>;

/** The same words for a real account and an unknown name (the delay is computed the same way for both). */
function lockedMessage(until: number): string {
  return `Too many wrong attempts with this username: it is locked until ${new Date(until).toISOString().slice(11, 19)} UTC (or until an admin unlocks it); then try again`;
}
