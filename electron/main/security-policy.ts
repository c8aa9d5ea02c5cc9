// The kiosk window's security decisions as pure functions (no Electron import), so a unit test
// checks them without the Electron binary. index.ts wires each one to its Electron hook.

/** The renderer is served from a privileged custom scheme (secure context, its own origin). */
export const appScheme = 'app';
export const appHost = 'kelu';
export const appOrigin = `${appScheme}://${appHost}`;
export const appEntryUrl = `${appOrigin}/index.html`;

/** True for URLs of the app itself (app://kelu/...). Custom schemes have an opaque URL.origin, so compare parts. */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === `${appScheme}:` && u.host.toLowerCase() === appHost && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

export interface PermissionRequestDetails {
  requestingUrl?: string;
  isMainFrame?: boolean;
  mediaTypes?: readonly string[];
}

/**
 * setPermissionRequestHandler: only the camera (media with video and nothing else, no
 * microphone), only for the app's own main frame. Everything else (notifications, geolocation,
 * display capture, MIDI, clipboard, fullscreen requests from the page...) is refused.
 */
export function decidePermissionRequest(permission: string, details: PermissionRequestDetails): boolean {
  if (permission !== 'media') return false;
  if (details.isMainFrame !== true || !isAppUrl(details.requestingUrl)) return false;
  const types = details.mediaTypes ?? [];
  return types.length > 0 && types.every((t) => t === 'video');
}

export interface PermissionCheckDetails {
  mediaType?: string;
  requestingUrl?: string;
  securityOrigin?: string;
  isMainFrame?: boolean;
  embeddingOrigin?: string;
}

/** setPermissionCheckHandler: the same rule for the synchronous checks (video from the app's main frame). */
export function decidePermissionCheck(
  permission: string,
  requestingOrigin: string,
  details: PermissionCheckDetails,
): boolean {
  if (permission !== 'media') return false;
  if (details.mediaType !== 'video') return false;
  if (details.embeddingOrigin) return false;
  return isAppUrl(requestingOrigin) && (details.securityOrigin === undefined || isAppUrl(details.securityOrigin));
}

/** will-navigate / will-frame-navigate / will-redirect: the window never leaves the app. */
export const decideNavigation = (url: string): boolean => isAppUrl(url);

/** setWindowOpenHandler: no new windows, ever (links, window.open, target=_blank). */
export const windowOpenDecision = (): { action: 'deny' } => ({ action: 'deny' });

export interface SenderFrame {
  url: string;
  /** null for the main frame. */
  parent: unknown;
}

/** Every IPC call must come from the app's own main frame (not an iframe, not a navigated-away page). */
export function isTrustedSender(frame: SenderFrame | null | undefined): boolean {
  if (!frame) return false;
  return frame.parent === null && isAppUrl(frame.url);
}

/**
 * Requests the window's session may make: only its own files (and in-page data:/blob:, devtools
 * in development). The renderer never talks to the network; core (Node) does the syncing.
 */
export function decideRequest(url: string, development: boolean): boolean {
  if (isAppUrl(url)) return true;
  const scheme = url.slice(0, url.indexOf(':') + 1).toLowerCase();
  if (scheme === 'data:' || scheme === 'blob:') return true;
  return development && (scheme === 'devtools:' || url.startsWith('http://localhost:'));
}
