import { Component, type ReactNode } from 'react';

/**
 * The kiosk never shows a blank screen: a screen that throws while rendering is replaced by a
 * calm message and a way back to the start (which also makes core forget the patient).
 */
export class ErrorBoundary extends Component<
  { fallback: (restart: () => void) => ReactNode; onRestart: () => void; children: ReactNode },
  { failed: boolean }
> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: unknown): void {
    // The kind only: a message could carry what the patient typed.
    console.error(`[screen] render failed: ${error instanceof Error ? error.name : typeof error}`);
  }

  private readonly restart = () => {
    this.setState({ failed: false });
    this.props.onRestart();
  };

  override render(): ReactNode {
    return this.state.failed ? this.props.fallback(this.restart) : this.props.children;
  }
}
