// Applies the navigation, window and webview rules to every web contents the app creates.
import type { WebContents } from 'electron';
import { decideNavigation, windowOpenDecision } from './security-policy.js';

export function hardenWebContents(contents: WebContents, development: boolean): void {
  const guard = (event: { url: string; preventDefault(): void }): void => {
    if (!decideNavigation(event.url)) event.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-frame-navigate', guard);
  contents.on('will-redirect', guard);
  contents.setWindowOpenHandler(windowOpenDecision);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  if (!development) {
    // devTools is off in webPreferences; this also closes them if anything opens them anyway.
    contents.on('devtools-opened', () => contents.closeDevTools());
  }
}
