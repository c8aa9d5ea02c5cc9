import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { KioskConfig } from '../config/schema.js';
import type { AuditLog } from './chain.js';

/** Dotted path → JSON value of every leaf, so two configurations can be compared key by key. */
function leaves(value: unknown, prefix = ''): Record<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
        Object.entries(leaves(v, prefix ? `${prefix}.${k}` : k)),
      ),
    );
  }
  return { [prefix]: JSON.stringify(value) };
}

/**
 * The kiosk's configuration comes from a file read at start, so a change is noticed at the next
 * start: the effective configuration is compared with the last one the audit log recorded, and a
 * difference is an audit row naming the keys that changed, with their old and new values (the
 * configuration holds no personal data). The first start records `config.loaded`.
 */
export function auditConfiguration(
  db: Database,
  audit: AuditLog,
  config: KioskConfig,
): 'unchanged' | 'loaded' | 'changed' {
  const now = leaves(config);
  const text = JSON.stringify(Object.fromEntries(Object.entries(now).sort(([a], [b]) => a.localeCompare(b))));
  const hash = createHash('sha256').update(text).digest('hex');
  const last = db
    .prepare(
      "SELECT detail FROM audit_log WHERE action IN ('config.loaded', 'config.changed') ORDER BY seq DESC LIMIT 1",
    )
    .get() as { detail: string } | undefined;
  // A value that looks like an IIN (twelve digits) is refused by the log; then only the hash and the
  // changed keys are kept.
  const append = (action: string, detail: Record<string, string>, fallback: Record<string, string>) => {
    try {
      audit.append({ actor: 'kiosk', action, detail });
    } catch {
      audit.append({ actor: 'kiosk', action, detail: fallback });
    }
  };
  if (!last) {
    append('config.loaded', { hash, config: text }, { hash });
    return 'loaded';
  }
  const previous = JSON.parse(last.detail) as { hash?: string; config?: string };
  if (previous.hash === hash) return 'unchanged';
  const before = previous.config ? (JSON.parse(previous.config) as Record<string, string>) : {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(now)])].filter((k) => before[k] !== now[k]).sort();
  const changes = keys.map((k) => `${k}: ${before[k] ?? '(unset)'} → ${now[k] ?? '(unset)'}`).join('; ');
  append(
    'config.changed',
    { hash, config: text, changes: changes.slice(0, 4000) },
    { hash, changes: keys.join(', ').slice(0, 4000) },
  );
  return 'changed';
}
