// What the host tells the page bridge (page/bridge.page.ts) when it installs it: plain data, no DOM.

/** The subprotocol the frame socket answers; its key rides in a second one, `kelu-key.<hex>` (issue 17 item 17). */
export const frameSocketProtocol = 'kelu-frames.v1';
export const frameSocketKeyPrefix = 'kelu-key.';

/** The binary frame socket as the page learns it: only the kiosk page's main frame gets the key. */
export interface PageFrameSocket {
  /** The kiosk's origin; the socket is offered only to the main frame on it. */
  origin: string;
  path: string;
  secret: string;
  /** Methods sent over the socket (their single top-level byte array goes as one binary message). */
  methods: readonly string[];
  payloadTag: string;
}

export interface PageBridgeConfig {
  bytesTag: string;
  bindingName: string;
  dispatchName: string;
  /** The subprotocol the frame socket answers; the key rides in a second, `<keyPrefix><secret>`. */
  socketProtocol: string;
  socketKeyPrefix: string;
  frameSocket: PageFrameSocket | null;
}
