import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../kiosk';
import { useCoreData } from '../../use-core-data';
import { DialogForm, FormActions, HiddenHeader, Notice, Options, PanelHead, ProblemLine, StaffTable } from './common';
import { errorText } from './errors';
import type { HandoffEntry } from './types';
import { useAction } from './useAction';

const fetchHandoffs = () => call('handoffs.list', {}).then((r) => r.entries);

const documentTypes = ['id-card', 'passport', 'birth-certificate', 'residence-permit', 'other'] as const;
type DocumentType = (typeof documentTypes)[number];

/** The short reference the patient's screen shows ("Your reference: 3F2A9C"), from the entry's id. */
const referenceOf = (id: string) => id.replace(/-/g, '').slice(0, 6).toUpperCase();

/** The reason as reception reads it; "I need help" says where the patient was. */
function reasonText(t: (key: string) => string, e: HandoffEntry): string {
  return e.reason === 'asked-for-help' && e.screen
    ? `${t('reason.asked-for-help')} (${t(`helpScreen.${e.screen}`)})`
    : t(`reason.${e.reason}`);
}

const time = (iso: string | null) =>
  iso ? new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '';

/** Reception: patients waiting for a hand-off (IIN masked) and resolving each with a reason. */
export function HandoffsPanel() {
  const { t } = useTranslation('staff');
  const { data: entries, error: problem, reload: load } = useCoreData(fetchHandoffs, [], (err) => errorText(t, err));
  // Core signals (without data) when the list changes; the screen offers a refresh instead of
  // reloading by itself, so a stream of patients does not keep an unattended session alive.
  const [changed, setChanged] = useState(false);
  useEffect(() => {
    if (typeof window.kiosk?.onEvent !== 'function') return undefined;
    return window.kiosk.onEvent((event) => {
      if (event.topic === 'handoffs.changed') setChanged(true);
    });
  }, []);
  const reload = () => {
    setChanged(false);
    load();
  };
  const [open, setOpen] = useState<HandoffEntry | null>(null);
  const [done, setDone] = useState('');

  // A patient who asked for help before typing an IIN has none to show.
  const masked = (e: HandoffEntry) => e.maskedIin ?? t('handoffs.noIin');
  const waiting = entries?.filter((e) => e.status === 'waiting') ?? [];
  const resolved = entries?.filter((e) => e.status !== 'waiting') ?? [];

  return (
    <section className="staff-panel" aria-labelledby="handoffs-title">
      <PanelHead titleId="handoffs-title" title={t('handoffs.title')} refreshLabel={t('refresh')} onRefresh={reload} />
      <ProblemLine text={problem} />
      {done && <Notice>{done}</Notice>}
      {changed && <Notice>{t('handoffs.changed')}</Notice>}
      {entries && waiting.length === 0 && <p className="hint">{t('handoffs.none')}</p>}
      {waiting.length > 0 && (
        <StaffTable
          label={t('handoffs.waitingTable')}
          columns={[
            t('col.time'),
            t('col.reference'),
            t('col.iin'),
            t('col.reason'),
            <HiddenHeader key="action" text={t('col.action')} />,
          ]}
        >
          {waiting.map((e) => (
            <tr key={e.id}>
              <td>{time(e.createdAt)}</td>
              <td>{referenceOf(e.id)}</td>
              <td className="masked">{masked(e)}</td>
              <td>{reasonText(t, e)}</td>
              <td>
                <button
                  type="button"
                  className="button primary small"
                  onClick={() => setOpen(e)}
                  aria-label={t('handoffs.resolveFor', { masked: masked(e) })}
                >
                  {t('handoffs.resolve')}
                </button>
              </td>
            </tr>
          ))}
        </StaffTable>
      )}
      {open && (
        <ResolveDialog
          entry={open}
          onClose={() => setOpen(null)}
          onResolved={(r) => {
            setOpen(null);
            setDone(
              r.status === 'checked-in'
                ? t('handoffs.checkedIn', { masked: masked(r), ticket: r.ticket })
                : t('handoffs.markedLeft', { masked: masked(r) }),
            );
            reload();
          }}
        />
      )}
      {resolved.length > 0 && (
        <>
          <h3>{t('handoffs.resolvedToday')}</h3>
          <StaffTable
            label={t('handoffs.resolvedTable')}
            columns={[t('col.time'), t('col.iin'), t('col.outcome'), t('col.ticket')]}
          >
            {resolved.map((e) => (
              <tr key={e.id}>
                <td>{time(e.resolvedAt)}</td>
                <td className="masked">{masked(e)}</td>
                <td>{t(`outcome.${e.status}`)}</td>
                <td>{e.ticket ?? '—'}</td>
              </tr>
            ))}
          </StaffTable>
        </>
      )}
    </section>
  );
}

function ResolveDialog({
  entry,
  onClose,
  onResolved,
}: {
  entry: HandoffEntry;
  onClose: () => void;
  onResolved: (r: HandoffEntry) => void;
}) {
  const { t } = useTranslation('staff');
  const [outcome, setOutcome] = useState<'document-checked' | 'left'>('document-checked');
  const [documentType, setDocumentType] = useState<DocumentType>('id-card');
  const [iin, setIin] = useState('');
  const [last4, setLast4] = useState('');
  const { problem, busy, run } = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(async () => {
      const resolution =
        outcome === 'left'
          ? { outcome: 'left' as const }
          : { outcome: 'document-checked' as const, iin, documentType, documentLast4: last4 };
      const r = await call('handoffs.resolve', { id: entry.id, resolution });
      setIin('');
      onResolved(r);
    });
  };

  return (
    <DialogForm
      titleId="resolve-title"
      title={t('resolve.title', { masked: entry.maskedIin ?? t('handoffs.noIin') })}
      onSubmit={submit}
    >
      <p className="hint">{reasonText(t, entry)}</p>
      <fieldset>
        <legend>{t('resolve.outcome')}</legend>
        <label className="staff-radio">
          <input
            type="radio"
            name="outcome"
            checked={outcome === 'document-checked'}
            onChange={() => setOutcome('document-checked')}
          />
          {t('resolve.documentChecked')}
        </label>
        <label className="staff-radio">
          <input type="radio" name="outcome" checked={outcome === 'left'} onChange={() => setOutcome('left')} />
          {t('resolve.left')}
        </label>
      </fieldset>
      {outcome === 'document-checked' && (
        <>
          <label>
            {t('resolve.documentType')}
            <select value={documentType} onChange={(e) => setDocumentType(e.target.value as DocumentType)}>
              <Options values={documentTypes} label={(d) => t(`document.${d}`)} />
            </select>
          </label>
          <label>
            {t('resolve.iin')}
            <input
              inputMode="numeric"
              autoComplete="off"
              maxLength={12}
              value={iin}
              onChange={(e) => setIin(e.target.value.replace(/\D/g, ''))}
              required
              pattern="\d{12}"
            />
          </label>
          <p className="hint">{t('resolve.iinHint')}</p>
          <label>
            {t('resolve.last4')}
            <input
              autoComplete="off"
              maxLength={4}
              value={last4}
              onChange={(e) => setLast4(e.target.value.replace(/[^0-9A-Za-z]/g, ''))}
              required
              pattern="[0-9A-Za-z]{4}"
            />
          </label>
        </>
      )}
      <ProblemLine text={problem} />
      <FormActions cancelLabel={t('cancel')} onCancel={onClose} submitLabel={t('resolve.confirm')} busy={busy} />
    </DialogForm>
  );
}
