// Issue 17 item 6: a packaged kiosk refuses every spelling of a debugging switch that Chromium's
// command line accepts as the same switch, and asks Electron's own parser too.
import { describe, expect, it } from 'vitest';
import { parseShellArgs } from '../../electron/main/shell-args.js';
import { refuseDebuggingSwitches } from '../../electron/main/debug-switches.js';

describe('issue 17 item 6: debugging switches in every form Chromium accepts', () => {
  it('a single dash (any platform), a slash and upper case (Windows) are refused like --', () => {
    for (const arg of [
      '-remote-debugging-port=9222',
      '-remote-debugging-pipe',
      '-inspect=9229',
      '--Remote-Debugging-Port=9222',
    ]) {
      expect(() => parseShellArgs(['.', arg], true, {}, 'linux'), arg).toThrow(/never opens a debugging port/);
    }
    for (const arg of [
      '/remote-debugging-port=9222',
      '--REMOTE-DEBUGGING-PORT=9222',
      '/Remote-Debugging-Pipe',
      '-REMOTE-ALLOW-ORIGINS=*',
    ]) {
      expect(() => parseShellArgs(['.', arg], true, {}, 'win32'), arg).toThrow(/never opens a debugging port/);
    }
    // Not switches: a value after "--" ends the switches, a path on Linux is a path.
    expect(() => parseShellArgs(['.', '/remote-debugging-port=9222'], true, {}, 'linux')).not.toThrow();
  });

  it("whatever spelling got through, Electron's own command line is asked and the switch removed before ready", () => {
    const present = new Set(['remote-debugging-port']);
    const removed: string[] = [];
    const commandLine = { hasSwitch: (n: string) => present.has(n), removeSwitch: (n: string) => void removed.push(n) };
    expect(() => refuseDebuggingSwitches(commandLine, true)).toThrow(/--remote-debugging-port is refused/);
    expect(removed).toContain('remote-debugging-port');
    expect(() =>
      refuseDebuggingSwitches({ hasSwitch: () => false, removeSwitch: () => undefined }, true),
    ).not.toThrow();
    expect(() => refuseDebuggingSwitches(commandLine, false)).not.toThrow();
  });
});
