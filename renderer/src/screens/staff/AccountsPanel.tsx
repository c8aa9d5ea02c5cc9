import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../kiosk';
import { useCoreData } from '../../use-core-data';
import { DialogForm, FormActions, HiddenHeader, Notice, Options, ProblemLine, StaffTable } from './common';
import { EnrolmentQr } from './EnrolmentQr';
import { errorText } from './errors';
import type { Enrolment, StaffRole } from './types';
import { useAction } from './useAction';

const fetchAccounts = () => call('staff.list', {});

const roleList: StaffRole[] = ['reception', 'it', 'admin'];

/** Admin: personal accounts, roles, unlocks, disabling, and new accounts with their TOTP enrolment. */
export function AccountsPanel() {
  const { t } = useTranslation('staff');
  const { data: list, error: loadProblem, reload } = useCoreData(fetchAccounts, [], (err) => errorText(t, err));
  const accounts = list?.accounts;
  const { problem: actionProblem, run } = useAction();
  const problem = actionProblem || loadProblem;
  const [notice, setNotice] = useState('');
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [resetting, setResetting] = useState<{ id: string; username: string } | null>(null);
  const [newPassword, setNewPassword] = useState('');

  const reset = async (e: FormEvent) => {
    e.preventDefault();
    if (!resetting) return;
    await run(async () => {
      const r = await call('staff.reset', { staffId: resetting.id, password: newPassword });
      setResetting(null);
      setNewPassword('');
      setEnrolment(r);
      reload();
    });
  };
  const [form, setForm] = useState({ username: '', displayName: '', role: 'reception' as StaffRole, password: '' });

  const act = (what: () => Promise<unknown>, message: string) =>
    run(async () => {
      await what();
      setNotice(message);
      reload();
    });

  const add = async (e: FormEvent) => {
    e.preventDefault();
    await run(async () => {
      const r = await call('staff.add', form);
      setForm({ username: '', displayName: '', role: 'reception', password: '' });
      setEnrolment(r);
      reload();
    });
  };

  return (
    <section className="staff-panel" aria-labelledby="accounts-title">
      <h2 id="accounts-title">{t('accounts.title')}</h2>
      <ProblemLine text={problem} />
      {notice && <Notice>{notice}</Notice>}
      {list && <p>{t('accounts.unknownFailures', { count: list.unknownUsernameFailures24h })}</p>}
      {accounts && (
        <StaffTable
          label={t('accounts.table')}
          columns={[
            t('col.username'),
            t('col.name'),
            t('col.role'),
            t('col.state'),
            <HiddenHeader key="action" text={t('col.action')} />,
          ]}
        >
          {accounts.map((a) => (
            <tr key={a.id}>
              <td>{a.username}</td>
              <td>{a.displayName}</td>
              <td>
                <select
                  aria-label={t('accounts.roleOf', { username: a.username })}
                  value={a.role}
                  onChange={(e) =>
                    void act(
                      () => call('staff.setRole', { staffId: a.id, role: e.target.value as StaffRole }),
                      t('accounts.roleChanged', { username: a.username }),
                    )
                  }
                >
                  <Options values={roleList} label={(r) => t(`role.${r}`)} />
                </select>
              </td>
              <td>
                {a.disabled
                  ? t('accounts.disabled')
                  : a.locked
                    ? t('accounts.lockedUntil', {
                        time: new Date(a.lockedUntil ?? '').toLocaleTimeString([], {
                          hour: '2-digit',
                          minute: '2-digit',
                        }),
                      })
                    : t('accounts.active')}
              </td>
              <td>
                <div className="staff-row-actions">
                  {a.locked && (
                    <button
                      type="button"
                      className="button primary small"
                      onClick={() =>
                        void act(
                          () => call('staff.unlock', { staffId: a.id }),
                          t('accounts.unlocked', { username: a.username }),
                        )
                      }
                    >
                      {t('accounts.unlock', { username: a.username })}
                    </button>
                  )}
                  <button
                    type="button"
                    className="button secondary small"
                    onClick={() =>
                      void act(
                        () => call('staff.setDisabled', { staffId: a.id, disabled: !a.disabled }),
                        t(a.disabled ? 'accounts.enabledNotice' : 'accounts.disabledNotice', { username: a.username }),
                      )
                    }
                  >
                    {t(a.disabled ? 'accounts.enable' : 'accounts.disable', { username: a.username })}
                  </button>
                  <button
                    type="button"
                    className="button secondary small"
                    onClick={() => setResetting({ id: a.id, username: a.username })}
                  >
                    {t('accounts.reset', { username: a.username })}
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </StaffTable>
      )}
      <form className="staff-form staff-add" onSubmit={(e) => void add(e)} aria-labelledby="add-title">
        <h3 id="add-title">{t('accounts.add')}</h3>
        <label>
          {t('col.username')}
          <input
            autoComplete="off"
            value={form.username}
            onChange={(e) => setForm({ ...form, username: e.target.value })}
            required
            maxLength={32}
          />
        </label>
        <label>
          {t('col.name')}
          <input
            autoComplete="off"
            value={form.displayName}
            onChange={(e) => setForm({ ...form, displayName: e.target.value })}
            required
            maxLength={80}
          />
        </label>
        <label>
          {t('col.role')}
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as StaffRole })}>
            <Options values={roleList} label={(r) => t(`role.${r}`)} />
          </select>
        </label>
        <label>
          {t('accounts.initialPassword')}
          <input
            type="password"
            autoComplete="new-password"
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
            required
            minLength={10}
            maxLength={256}
          />
        </label>
        <button type="submit" className="button primary">
          {t('accounts.create')}
        </button>
      </form>
      {resetting && (
        <DialogForm
          titleId="reset-title"
          title={t('accounts.resetTitle', { username: resetting.username })}
          onSubmit={reset}
        >
          <p className="hint">{t('accounts.resetExplain')}</p>
          <label>
            {t('accounts.newPassword')}
            <input
              type="password"
              autoComplete="new-password"
              value={newPassword}
              onChange={(e) => setNewPassword(e.target.value)}
              required
              minLength={10}
              maxLength={256}
              autoFocus
            />
          </label>
          <ProblemLine text={problem} />
          <FormActions
            cancelLabel={t('cancel')}
            onCancel={() => setResetting(null)}
            submitLabel={t('accounts.resetConfirm')}
          />
        </DialogForm>
      )}
      {enrolment && <EnrolmentQr enrolment={enrolment} onDone={() => setEnrolment(null)} />}
    </section>
  );
}
