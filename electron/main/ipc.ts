// Registers the core router on ipcMain: one channel, every call's sender checked here and its
// input validated by the router against the method's schema.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { Core } from '../core/kiosk.js';
import { ipcChannels } from '../shared/api/bridge.js';
import type { CallResult } from '../shared/api/define.js';
import { isTrustedSender } from './security-policy.js';

/** The IPC handler as a plain function of the event, so a test can call it without Electron. */
export function createCallHandler(core: Pick<Core, 'router'>) {
  return async (
    event: Pick<IpcMainInvokeEvent, 'senderFrame'>,
    method: unknown,
    input: unknown,
  ): Promise<CallResult<unknown>> => {
    if (!isTrustedSender(event.senderFrame))
      return { ok: false, error: { code: 'forbidden', message: 'This caller is not the kiosk window' } };
    if (typeof method !== 'string')
      return { ok: false, error: { code: 'bad-input', message: 'method must be a string' } };
    return core.router.call(method, input, { transport: 'ipc' });
  };
}

export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  core: Core,
  windowContents: () => WebContents | undefined,
): () => void {
  ipcMain.handle(ipcChannels.call, createCallHandler(core));
  // Core events go to the kiosk window only.
  const unsubscribe = core.events.subscribe((event) => {
    const contents = windowContents();
    if (contents && !contents.isDestroyed()) contents.send(ipcChannels.event, event);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(ipcChannels.call);
  };
}
