import type { Page } from 'playwright-core';
import { Secret, URI } from 'otpauth';
import type { Role } from '../../electron/shared/api/define.js';
import { AuditLog } from '../../electron/core/platform/audit/chain.js';
import { defaultConfig } from '../../electron/core/platform/config/schema.js';
import { AccountStore } from '../../electron/core/staff/accounts/accounts.js';
import { createStaffService } from '../../electron/core/staff/accounts/service.js';
import { totpNow } from '../../electron/core/staff/accounts/totp.js';
import { openKioskStorage } from '../../electron/core/storage.js';

export interface SeededPerson {
  username: string;
  password: string;
  /** Base32 TOTP secret, as the enrolment QR carries it. */
  secret: string;
  staffId: string;
}

/** Accounts made the way kioskctl makes them, in the kiosk's own database, before it starts. */
export async function seedStaff(
  dataDir: string,
  people: Array<{ username: string; role: Role; displayName?: string }>,
): Promise<Record<string, SeededPerson>> {
  const db = openKioskStorage(dataDir);
  try {
    const staff = createStaffService(new AccountStore(db), new AuditLog(db), defaultConfig.staff);
    const out: Record<string, SeededPerson> = {};
    for (const p of people) {
      const password = `${p.username}-long-password`;
      const e = await staff.add('cli', {
        username: p.username,
        displayName: p.displayName ?? `${p.username} (${p.role})`,
        role: p.role,
        password,
      });
      out[p.username] = {
        username: p.username,
        password,
        secret: (URI.parse(e.otpauthUri) as { secret: Secret }).secret.base32,
        staffId: e.staffId,
      };
    }
    return out;
  } finally {
    db.close();
  }
}

/**
 * A staff member signs in at the kiosk as they would: Ctrl+Alt+S from any screen (unless the
 * sign-in is already open), then username, password and a fresh code from their authenticator.
 */
export async function signInAtKiosk(
  page: Page,
  p: Pick<SeededPerson, 'username' | 'password' | 'secret'>,
): Promise<void> {
  const heading = page.getByRole('heading', { name: 'Staff sign-in' });
  if (!(await heading.isVisible())) {
    await page.keyboard.press('Control+Alt+KeyS');
    await heading.waitFor();
  }
  await page.getByRole('textbox', { name: 'Username' }).fill(p.username);
  await page.getByLabel('Password').fill(p.password);
  await page.getByRole('textbox', { name: 'Code from the authenticator app' }).fill(totpNow(p.secret));
  await page.getByRole('button', { name: 'Sign in' }).click();
}
