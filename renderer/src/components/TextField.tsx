/**
 * One labelled text input of the staff and IT forms: paths, URLs, ids and fingerprints, so never
 * spell-checked. The label wraps the input (its accessible name, for screen readers and tests).
 * `password` is for one-time secrets such as an enrolment token: never shown as typed.
 */
export function TextField({
  label,
  value,
  onChange,
  type = 'text',
  placeholder,
  required = false,
  autoComplete,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: 'text' | 'url' | 'password';
  placeholder?: string;
  required?: boolean;
  autoComplete?: string;
}) {
  return (
    <label>
      {label}
      <input
        type={type}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={placeholder}
        spellCheck={false}
        autoComplete={autoComplete}
        required={required}
      />
    </label>
  );
}
