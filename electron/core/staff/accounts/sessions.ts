import { randomBytes } from 'node:crypto';
import type { Role } from '../../../shared/api/define.js';
import type { SessionResolver } from '../../../shared/api/router.js';

export interface StaffSession {
  token: string;
  staffId: string;
  username: string;
  role: Role;
  startedAt: number;
  lastActivity: number;
}

export interface SessionEvents {
  /** Called once when a session ends for any reason other than an explicit logout. */
  onExpired?(session: StaffSession, why: 'idle' | 'max-age' | 'patient-touch' | 'account-changed'): void;
}

/**
 * Staff sessions live in memory only: a restart logs everyone out, and no token ever reaches the
 * disk. Any call made with a session counts as activity; a session idle for `idleLogoutMs` is gone,
 * and so is one older than `maxAgeMs` however busy it is (a token seen once is not good all day).
 */
export class SessionManager implements SessionResolver {
  private readonly sessions = new Map<string, StaffSession>();

  constructor(
    private readonly idleLogoutMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxAgeMs = Infinity,
    private readonly events: SessionEvents = {},
  ) {}

  start(staff: { staffId: string; username: string; role: Role }): StaffSession {
    const t = this.now();
    const session: StaffSession = {
      token: randomBytes(32).toString('base64url'),
      ...staff,
      startedAt: t,
      lastActivity: t,
    };
    this.sessions.set(session.token, session);
    return session;
  }

  /** The live session for a token, marking it active; undefined if unknown or idle too long. */
  get(token: string | undefined, touch = true): StaffSession | undefined {
    if (!token) return undefined;
    const session = this.sessions.get(token);
    if (!session) return undefined;
    const t = this.now();
    const why =
      t - session.startedAt >= this.maxAgeMs
        ? 'max-age'
        : t - session.lastActivity >= this.idleLogoutMs
          ? 'idle'
          : undefined;
    if (why) {
      this.sessions.delete(token);
      this.events.onExpired?.(session, why);
      return undefined;
    }
    if (touch) session.lastActivity = t;
    return session;
  }

  roleOf(token: string | undefined): Role | undefined {
    return this.get(token)?.role;
  }

  end(token: string | undefined): StaffSession | undefined {
    if (!token) return undefined;
    const session = this.sessions.get(token);
    this.sessions.delete(token);
    return session;
  }

  /** Ends every session (a patient touched the screen, or an account changed). */
  endAll(why: 'patient-touch' | 'account-changed'): number {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) this.events.onExpired?.(s, why);
    return all.length;
  }

  /** Ends the sessions of one person (role changed, account disabled). */
  endFor(staffId: string): void {
    for (const [token, s] of this.sessions) {
      if (s.staffId === staffId) {
        this.sessions.delete(token);
        this.events.onExpired?.(s, 'account-changed');
      }
    }
  }

  /** Sweeps idle sessions so their logout is audited even if nobody calls again. */
  sweep(): void {
    for (const token of [...this.sessions.keys()]) this.get(token, false);
  }
}
