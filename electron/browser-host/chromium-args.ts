// Chromium's command line for the browser host. Pure, so a unit test can read it.
import { existsSync, readdirSync } from 'node:fs';

/**
 * - `file`: the y4m plays as the only webcam;
 * - `real`: the machine's own webcam (/dev/video*);
 * - `simulator`: the patient simulator's canvas camera (an init script); Chromium opens no device;
 * - `none`: the page sees no camera at all (getUserMedia rejects with NotFoundError), even on a
 *   machine that has one: Chromium's fake capture factory is asked for zero devices.
 */
export type CameraSource = { kind: 'file'; y4m: string } | { kind: 'real' } | { kind: 'none' } | { kind: 'simulator' };

export interface ChromiumArgsOptions {
  camera: CameraSource;
  remoteDebuggingPort?: number;
  /** Chromium refuses its sandbox as root; only then is --no-sandbox added. */
  runningAsRoot: boolean;
  lang?: string;
  /**
   * The binary frame socket (frame-socket.ts): the kiosk's host name is mapped to this loopback
   * port, and Chromium's Local Network Access check is turned off (the page is served by request
   * interception, so Chromium cannot tell it is local and would refuse its WebSocket to loopback).
   */
  frameSocket?: { host: string; port: number };
}

export function chromiumArgs(options: ChromiumArgsOptions): string[] {
  const args = [
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-quic',
    `--disable-features=Translate,MediaRouter,OptimizationHints${options.frameSocket ? ',LocalNetworkAccessChecks' : ''}`,
    // The kiosk's audio is not used; keep Chromium from probing sound devices.
    '--mute-audio',
  ];
  if (options.runningAsRoot) args.push('--no-sandbox');
  if (options.frameSocket)
    args.push(`--host-resolver-rules=MAP ${options.frameSocket.host} 127.0.0.1:${options.frameSocket.port}`);
  if (options.lang) args.push(`--lang=${options.lang}`);
  if (options.remoteDebuggingPort !== undefined) {
    args.push(`--remote-debugging-port=${options.remoteDebuggingPort}`, '--remote-debugging-address=127.0.0.1');
  }
  const { camera } = options;
  if (camera.kind === 'file') {
    args.push(
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${camera.y4m}`,
    );
  } else if (camera.kind === 'none' || camera.kind === 'simulator') {
    args.push('--use-fake-device-for-media-stream=device-count=0', '--use-fake-ui-for-media-stream');
  } else {
    // Real webcam: no fake device; the permission is granted to the kiosk's origin by the host.
    args.push('--use-fake-ui-for-media-stream');
  }
  return args;
}

/** True when the machine has a V4L2 video device (Linux); elsewhere assume a camera may exist. */
export function machineHasCamera(platform: NodeJS.Platform = process.platform): boolean {
  if (platform !== 'linux') return true;
  if (!existsSync('/dev')) return false;
  return readdirSync('/dev').some((name) => /^video\d+$/.test(name));
}
