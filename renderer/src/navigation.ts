import type { KioskInfo, PhotoPathEnd } from './core-types';

/**
 * The screens and what each needs to open. Navigation is a small typed state machine: a route is
 * `{ screen, ...params }`, and a screen moves on only by calling `go(route)`.
 *
 * Adding a screen (decline, staff, IT): declare its params by augmenting this interface from the
 * screen's own folder,
 *   declare module '../../navigation' { interface ScreenParams { myScreen: { ... } } }
 * then add ONE line to the `screens` table in App.tsx.
 */
export interface ScreenParams {
  attract: Record<never, never>;
  identify: Record<never, never>;
  consent: { session: string; maskedIin: string };
  camera: { session: string; maskedIin: string };
  ticket: { ticket: string; maskedIin: string };
  /**
   * The decline path (eGov code or QR, or reception). `session` identifies the patient in core
   * (checkin service's `identified(session)` gives the IIN to core parts); `reason` is set when the
   * photo path failed rather than was refused.
   */
  decline: { session: string; maskedIin: string; reason?: PhotoPathEnd };
}

export type ScreenName = keyof ScreenParams;
export type Route = { [K in ScreenName]: { screen: K } & ScreenParams[K] }[ScreenName];
export type RouteOf<K extends ScreenName> = { screen: K } & ScreenParams[K];
export type Navigate = (route: Route) => void;

/** What App gives every screen. */
export interface ScreenProps<K extends ScreenName> {
  route: RouteOf<K>;
  go: Navigate;
  /** Forget the patient everywhere (core and screen) and return to the attract screen. */
  reset: () => void;
  /** The kiosk's settings for the screens (timeouts, languages), from core's `system.info`. */
  settings: ScreenSettings;
}

export type ScreenSettings = Pick<KioskInfo, 'ui' | 'languages' | 'presence'>;
