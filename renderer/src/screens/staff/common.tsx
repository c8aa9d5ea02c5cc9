import type { FormEvent, ReactNode } from 'react';

/**
 * Building blocks the staff console's panels (and the IT panel) share, so that every panel has
 * the same structure for assistive technology: one live alert for problems, status notices,
 * tables named by `aria-label` with column headers, and modal dialogs named by their heading.
 * Callers pass already-translated text; these components hold no strings of their own.
 */

/** A panel's heading with its Refresh button; further buttons (e.g. "Sync now") follow it. */
export function PanelHead({
  titleId,
  title,
  refreshLabel,
  onRefresh,
  children,
}: {
  titleId: string;
  title: string;
  refreshLabel: string;
  onRefresh: () => void;
  children?: ReactNode;
}) {
  return (
    <div className="staff-panel-head">
      <h2 id={titleId}>{title}</h2>
      <button type="button" className="button secondary" onClick={onRefresh}>
        {refreshLabel}
      </button>
      {children}
    </div>
  );
}

/** The panel's alert line: always present (empty when all is well) so a new problem is announced. */
export function ProblemLine({ text }: { text: string }) {
  return (
    <p className="problem" role="alert">
      {text}
    </p>
  );
}

/** A status line confirming what just happened. */
export function Notice({ children }: { children: ReactNode }) {
  return (
    <p className="staff-notice" role="status">
      {children}
    </p>
  );
}

/** A column header read by screen readers but not shown (the action column of a table). */
export function HiddenHeader({ text }: { text: string }) {
  return <span className="visually-hidden">{text}</span>;
}

/** A staff table: named by `label`, one `<th scope="col">` per column, the rows as children. */
export function StaffTable({ label, columns, children }: { label: string; columns: ReactNode[]; children: ReactNode }) {
  return (
    <table className="staff-table" aria-label={label}>
      <thead>
        <tr>
          {columns.map((c, i) => (
            <th scope="col" key={i}>
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** A modal dialog that is a form, named by its heading. */
export function DialogForm({
  titleId,
  title,
  onSubmit,
  children,
}: {
  titleId: string;
  title: string;
  onSubmit: (e: FormEvent) => Promise<void>;
  children: ReactNode;
}) {
  return (
    <div className="overlay" role="presentation">
      <form
        className="dialog staff-form staff-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onSubmit={(e) => void onSubmit(e)}
      >
        <h2 id={titleId}>{title}</h2>
        {children}
      </form>
    </div>
  );
}

/** A form's footer: the way out on the left, the submit button (disabled while busy) on the right. */
export function FormActions({
  cancelLabel,
  onCancel,
  submitLabel,
  busy,
}: {
  cancelLabel: string;
  onCancel: () => void;
  submitLabel: string;
  busy?: boolean;
}) {
  return (
    <div className="actions">
      <button type="button" className="button secondary" onClick={onCancel}>
        {cancelLabel}
      </button>
      <button type="submit" className="button primary" disabled={busy}>
        {submitLabel}
      </button>
    </div>
  );
}

/** The options of a select over a fixed list of values, each shown by its translated label. */
export function Options<T extends string>({ values, label }: { values: readonly T[]; label: (value: T) => string }) {
  return (
    <>
      {values.map((v) => (
        <option key={v} value={v}>
          {label(v)}
        </option>
      ))}
    </>
  );
}
