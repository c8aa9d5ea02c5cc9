// Debugging switches a packaged kiosk refuses (issue 17 item 6). Pure: a unit test reads it.

/** Chromium's and Node's switches that open a debugging port, pipe or inspector to anyone on the machine. */
export const debuggingSwitches = [
  'remote-debugging-port',
  'remote-debugging-pipe',
  'remote-debugging-address',
  'remote-allow-origins',
  'inspect',
  'inspect-brk',
  'inspect-port',
  'inspect-publish-uid',
] as const;

/**
 * The switch name an argument sets, as Chromium's command line reads it: `--name`, `-name`, and on
 * Windows `/name`, with `=value` or not; Windows switch names are case-insensitive (Chromium lower-
 * cases them), and upper case is refused everywhere to be safe. Null when it is not a switch.
 */
export function switchName(arg: string, platform: NodeJS.Platform): string | null {
  const m = /^(?:--|-|\/)([^=]+)(?:=|$)/.exec(arg);
  if (!m) return null;
  if (arg.startsWith('/') && platform !== 'win32') return null;
  return m[1]!.toLowerCase();
}

export function isDebuggingSwitch(arg: string, platform: NodeJS.Platform): boolean {
  const name = switchName(arg, platform);
  return name !== null && (debuggingSwitches as readonly string[]).includes(name);
}

export interface CommandLineLike {
  hasSwitch(name: string): boolean;
  removeSwitch(name: string): void;
}

/**
 * Asks Electron's own parser (`app.commandLine`), which knows every spelling Chromium accepts, and
 * removes any debugging switch before `ready`, then refuses to start. Packaged kiosks only.
 */
export function refuseDebuggingSwitches(commandLine: CommandLineLike, isPackaged: boolean): void {
  if (!isPackaged) return;
  const found = debuggingSwitches.filter((n) => commandLine.hasSwitch(n));
  for (const n of found) commandLine.removeSwitch(n);
  if (found.length > 0) throw new Error(`--${found[0]} is refused: a kiosk never opens a debugging port.`);
}
