// What the kiosk says about an exchange with the upstream: short, and never a secret from a URL.

/** The network failure in a word (ECONNREFUSED, ENOTFOUND, …), or its message cut short. */
export function describeNetworkError(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause as { code: unknown }).code) : '';
  return code || (cause instanceof Error ? cause.message.slice(0, 120) : 'failed');
}

/** Origin and path only: a Location may carry credentials or tokens. */
export function redactUrl(u: string): string {
  try {
    const x = new URL(u);
    return x.origin + x.pathname;
  } catch {
    return '(not a URL)';
  }
}
