// The arguments `npm start` gives the kiosk, as pure functions (tests/unit/electron-shell-browser-host.test.ts).

export const devKeysNote =
  'npm start: running with DEVELOPMENT keys (--dev-keys): visits are sealed to resources/dev-upstream/, whose secret is public. Never serve patients this way; provision a real kiosk from its IT screen.';

/** Electron from the source tree: development keys, then what the person typed. */
export function electronArgs(extra) {
  return ['.', '--dev-keys', ...extra];
}

/**
 * The browser host: development keys; --dev (an Electron window with devtools) has no meaning
 * there. No DevTools port unless one is asked for with --remote-debugging-port N: CDP is
 * unauthenticated, and any local process could read what is typed and act as the signed-in staff.
 */
export function browserHostArgs(extra) {
  const args = extra.filter((a) => a !== '--dev');
  if (!args.includes('--dev-keys')) args.push('--dev-keys');
  return args;
}
