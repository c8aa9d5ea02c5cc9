import { useTranslation } from 'react-i18next';

const digits = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** A large on-screen number pad (touch targets well above 44 px). */
export function Keypad({
  onDigit,
  onDelete,
  onClear,
  label,
}: {
  onDigit: (d: string) => void;
  onDelete: () => void;
  onClear: () => void;
  label: string;
}) {
  const { t } = useTranslation('common');
  return (
    // Touching a key must not take the focus from the field, so a physical keyboard's Enter still
    // submits the form instead of pressing the last touched key again.
    <div className="keypad" role="group" aria-label={label} onMouseDown={(e) => e.preventDefault()}>
      {digits.map((d) => (
        <button key={d} type="button" className="key" onClick={() => onDigit(d)}>
          {d}
        </button>
      ))}
      <button type="button" className="key key-action" onClick={onClear}>
        {t('keypad.clear')}
      </button>
      <button type="button" className="key" onClick={() => onDigit('0')}>
        0
      </button>
      <button type="button" className="key key-action" onClick={onDelete} aria-label={t('keypad.delete')}>
        <span aria-hidden="true">⌫</span>
      </button>
    </div>
  );
}
