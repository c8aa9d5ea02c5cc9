// The sandboxed preload (CommonJS, built to out/preload/index.cjs): exposes window.kiosk and
// nothing else. It forwards calls to main over one IPC channel; it never sees ipcRenderer itself
// leak into the page, and it gives events to listeners without the IPC event object.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { KioskContract } from '../core/contract.js';
import { ipcChannels, type KioskBridge, type KioskEvent, type KioskEventListener } from '../shared/api/bridge.js';

const listeners = new Set<KioskEventListener>();
ipcRenderer.on(ipcChannels.event, (_event: IpcRendererEvent, payload: KioskEvent) => {
  if (!payload || typeof payload.topic !== 'string') return;
  for (const listener of [...listeners]) {
    try {
      listener({ topic: payload.topic, data: payload.data });
    } catch (err) {
      console.error(err);
    }
  }
});

const kiosk: KioskBridge<KioskContract> = {
  host: 'electron',
  call: (method, input) => ipcRenderer.invoke(ipcChannels.call, method, input),
  onEvent(listener) {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  },
};

contextBridge.exposeInMainWorld('kiosk', kiosk);
