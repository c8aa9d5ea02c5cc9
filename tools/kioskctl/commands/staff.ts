import QRCode from 'qrcode';
import { z } from 'zod';
import { roles } from '../../../electron/shared/api/define.js';
import { UserFacingError } from '../../../electron/shared/api/define.js';
import { displayNameSchema, usernameSchema } from '../../../electron/core/staff/accounts/accounts.js';
import { dataDirSchema, parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { openLocalStaff, readLine, readSecretLine } from './staff-cli-support.js';

const usage = `Usage:
  kioskctl staff add --role reception|it|admin [--username NAME] [--name "Full Name"] [--data-dir DIR]
      Prompts for the password without echo (or reads it from the first line of piped stdin),
      then prints the TOTP enrolment (otpauth URI and QR) ONCE.
  kioskctl staff list [--data-dir DIR]
  kioskctl staff unlock --username NAME [--data-dir DIR]
  kioskctl staff reset --username NAME [--data-dir DIR]     new password and TOTP (lost phone)`;

/** `kioskctl staff …`: bootstrap the first admin and rescue accounts from the kiosk itself. */
export const staffCommand: Command = {
  name: 'staff',
  summary: 'Staff accounts: add (first admin), list, unlock, reset',
  async run(argv) {
    const [sub, ...rest] = argv;
    switch (sub) {
      case 'add':
        return add(rest);
      case 'list':
        return list(rest);
      case 'unlock':
        return unlock(rest);
      case 'reset':
        return reset(rest);
      default:
        console.error(usage);
        return 2;
    }
  },
};

async function askPassword(): Promise<string> {
  const first = await readSecretLine('Password (at least 10 characters, not shown): ');
  if (process.stdin.isTTY) {
    const again = await readSecretLine('Repeat the password: ');
    if (again !== first) throw new Error('The two passwords differ');
  }
  return first;
}

async function printEnrolment(uri: string, username: string): Promise<void> {
  console.log(`\nAuthenticator enrolment for ${username} (shown once; scan it now):\n`);
  console.log(await QRCode.toString(uri, { type: 'terminal', small: true, errorCorrectionLevel: 'M' }));
  console.log(uri);
  console.log('\nSign in at the kiosk with Ctrl+Alt+S (or five taps in the top-left corner).');
}

async function add(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    z.object({
      'data-dir': dataDirSchema,
      role: z.enum(roles, { message: `--role is one of ${roles.join(', ')}` }),
      username: z.string().optional(),
      name: z.string().optional(),
    }),
  );
  const tty = process.stdin.isTTY === true;
  const rawUsername = args.username ?? (tty ? await readLine('Username: ') : undefined);
  if (!rawUsername) throw new Error('Give --username when stdin is not a terminal');
  const username = usernameSchema.parse(rawUsername);
  const displayName = displayNameSchema.parse(
    args.name ?? (tty ? (await readLine(`Full name [${username}]: `)) || username : username),
  );
  const password = await askPassword();
  const local = openLocalStaff(args['data-dir']);
  try {
    const e = await local.staff.add('cli', { username, displayName, role: args.role, password });
    console.log(`Created ${args.role} account "${e.username}" (${e.staffId}) in ${args['data-dir']}.`);
    await printEnrolment(e.otpauthUri, e.username);
    return 0;
  } catch (err) {
    if (err instanceof UserFacingError) {
      console.error(`kioskctl staff add: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    local.close();
  }
}

async function list(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, z.object({ 'data-dir': dataDirSchema }));
  const local = openLocalStaff(args['data-dir']);
  try {
    const accounts = local.staff.list();
    if (accounts.length === 0)
      console.log('No staff accounts yet. Create the first admin: npm run kioskctl -- staff add --role admin');
    for (const a of accounts) {
      const state = a.disabled ? 'disabled' : a.locked ? `locked until ${a.lockedUntil}` : 'active';
      console.log(`${a.username.padEnd(20)} ${a.role.padEnd(10)} ${state.padEnd(34)} ${a.displayName}`);
    }
    local.audit.append({ actor: 'cli', action: 'staff.list', detail: { via: 'cli' } });
    return 0;
  } finally {
    local.close();
  }
}

function findId(local: ReturnType<typeof openLocalStaff>, username: string): string {
  const a = local.staff.accounts.byUsername(usernameSchema.parse(username));
  if (!a) throw new Error(`No staff account "${username}"`);
  return a.id;
}

async function unlock(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    z.object({ 'data-dir': dataDirSchema, username: z.string({ message: '--username is required' }) }),
  );
  const local = openLocalStaff(args['data-dir']);
  try {
    local.staff.unlock('cli', findId(local, args.username));
    console.log(`Unlocked ${args.username}.`);
    return 0;
  } finally {
    local.close();
  }
}

async function reset(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    z.object({ 'data-dir': dataDirSchema, username: z.string({ message: '--username is required' }) }),
  );
  const password = await askPassword();
  const local = openLocalStaff(args['data-dir']);
  try {
    const e = await local.staff.reset('cli', findId(local, args.username), password);
    console.log(`Reset ${e.username}: new password set, old authenticator no longer works.`);
    await printEnrolment(e.otpauthUri, e.username);
    return 0;
  } catch (err) {
    if (err instanceof UserFacingError) {
      console.error(`kioskctl staff reset: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    local.close();
  }
}
