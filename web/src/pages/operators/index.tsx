import { useState, type FormEvent } from 'react';
import { api, get } from '../../api.ts';
import type { Operator, OperatorRole } from '../../api-types.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { DataTable } from '../../components/data-table.tsx';
import { FieldError, FormError } from '../../components/field-error.tsx';
import { PageHeader } from '../../components/layout.tsx';
import { RefreshButton } from '../../components/refresh-button.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { Loaded } from '../../components/states.tsx';
import { useT } from '../../i18n.ts';
import { common } from '../../messages.ts';
import { useAction } from '../../use-action.ts';
import { useApi } from '../../use-api.ts';
import { messages } from './messages.ts';

const ROLES: readonly OperatorRole[] = ['admin', 'operator', 'viewer'];

function RoleSelect(props: {
  id: string;
  value: OperatorRole;
  onChange: (r: OperatorRole) => void;
  disabled?: boolean;
}) {
  const tc = useT(common);
  return (
    <select
      id={props.id}
      value={props.value}
      disabled={props.disabled}
      onChange={(e) => props.onChange(e.target.value as OperatorRole)}
    >
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {tc(`role_${r}`)}
        </option>
      ))}
    </select>
  );
}

function NewOperator(props: { onCreated: () => void }) {
  const t = useT(messages);
  const [f, setF] = useState({ username: '', displayName: '', role: 'operator', password: '' });
  const [local, setLocal] = useState<{ field: string; text: string } | undefined>();
  const action = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!f.username.trim()) return setLocal({ field: 'username', text: t('usernameMissing') });
    if (!f.password) return setLocal({ field: 'password', text: t('passwordMissing') });
    setLocal(undefined);
    void action.run(async () => {
      const op = await api<Operator>('POST', '/api/admin/operators', {
        body: {
          username: f.username.trim(),
          role: f.role,
          password: f.password,
          ...(f.displayName.trim() ? { displayName: f.displayName.trim() } : {}),
        },
      });
      setF({ username: '', displayName: '', role: f.role, password: '' });
      props.onCreated();
      return t('created', { username: op.username });
    });
  };
  const localFor = (field: string) => (local?.field === field ? local.text : undefined);
  return (
    <section className="card">
      <h2>{t('newTitle')}</h2>
      <form onSubmit={submit} noValidate data-testid="new-operator">
        <label htmlFor="op-username">{t('username')}</label>
        <input
          id="op-username"
          value={f.username}
          maxLength={64}
          autoComplete="off"
          onChange={(e) => setF({ ...f, username: e.target.value })}
        />
        <FieldError field="username" local={localFor('username')} error={action.error} />
        <label htmlFor="op-display">{t('displayName')}</label>
        <input
          id="op-display"
          value={f.displayName}
          maxLength={100}
          onChange={(e) => setF({ ...f, displayName: e.target.value })}
        />
        <label htmlFor="op-role">{t('role')}</label>
        <RoleSelect
          id="op-role"
          value={f.role as OperatorRole}
          onChange={(role) => setF({ ...f, role })}
        />
        <FieldError field="role" error={action.error} />
        <label htmlFor="op-password">{t('password')}</label>
        <input
          id="op-password"
          type="password"
          autoComplete="new-password"
          value={f.password}
          aria-describedby="op-password-help"
          onChange={(e) => setF({ ...f, password: e.target.value })}
        />
        <p className="help" id="op-password-help">
          {t('passwordHelp')}
        </p>
        <FieldError field="password" local={localFor('password')} error={action.error} />
        <FormError error={action.error} fields={['username', 'role', 'password']} />
        {action.note ? (
          <p className="notice" role="status">
            {action.note}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={action.busy}>
          {action.busy ? t('creating') : t('create')}
        </button>
      </form>
    </section>
  );
}

function PasswordReset(props: { op: Operator }) {
  const t = useT(messages);
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const action = useAction();
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {t('setPassword')}
      </button>
    );
  }
  const id = `pw-${props.op.id}`;
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void action.run(async () => {
          await api('PUT', `/api/admin/operators/${props.op.id}/password`, { body: { password } });
          setPassword('');
          return t('passwordSet');
        });
      }}
    >
      <label htmlFor={id}>{t('newPassword')}</label>
      <input
        id={id}
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <FieldError field="password" error={action.error} />
      <FormError error={action.error} fields={['password']} />
      {action.note ? <p className="notice">{action.note}</p> : null}
      <button type="submit" disabled={action.busy}>
        {t('save')}
      </button>
    </form>
  );
}

function OperatorRow(props: { op: Operator; onChanged: () => void }) {
  const t = useT(messages);
  const { op } = props;
  const action = useAction();
  const patch = (body: Record<string, unknown>, note?: string) =>
    action.run(async () => {
      await api('PATCH', `/api/admin/operators/${op.id}`, { body });
      props.onChanged();
      return note;
    });
  return (
    <tr data-operator={op.username}>
      <td>
        <strong>{op.username}</strong>
        {op.displayName !== op.username ? <div className="help">{op.displayName}</div> : null}
      </td>
      <td>
        <RoleSelect
          id={`role-${op.id}`}
          value={op.role}
          disabled={action.busy}
          onChange={(role) => void patch({ role }, t('roleSaved'))}
        />
      </td>
      <td>{op.totpEnabled ? t('on') : t('off')}</td>
      <td>
        <span className={op.disabled ? 'badge s1' : 'badge s0'}>
          {op.disabled ? t('disabled') : t('active')}
        </span>
      </td>
      <td>{op.lastSignInAt ? <RelativeTime at={op.lastSignInAt} /> : '—'}</td>
      <td>
        <div className="row wrap">
          {op.disabled ? (
            <button type="button" onClick={() => void patch({ disabled: false })}>
              {t('enable')}
            </button>
          ) : (
            <ConfirmButton onConfirm={() => patch({ disabled: true })}>
              {t('disable')}
            </ConfirmButton>
          )}
          {op.totpEnabled ? (
            <ConfirmButton
              onConfirm={() =>
                action.run(async () => {
                  await api('DELETE', `/api/admin/operators/${op.id}/totp`);
                  props.onChanged();
                  return undefined;
                })
              }
            >
              {t('resetTotp')}
            </ConfirmButton>
          ) : null}
          <PasswordReset op={op} />
        </div>
        <FormError error={action.error} fields={[]} />
        {action.note ? <p className="notice">{action.note}</p> : null}
      </td>
    </tr>
  );
}

/** Operator accounts (admins): create, change roles, disable, reset a password or two-step. */
export function OperatorsPage() {
  const t = useT(messages);
  const state = useApi(() => get<{ items: Operator[] }>('/api/admin/operators'), []);
  return (
    <>
      <PageHeader title={t('title')}>
        <RefreshButton state={state} />
      </PageHeader>
      <p className="help">{t('intro')}</p>
      <NewOperator onCreated={() => void state.reload()} />
      <section className="card">
        <h2>{t('list')}</h2>
        <Loaded state={state}>
          {(page) => (
            <DataTable
              kind="adm-table"
              testId="operators"
              head={[
                t('username'),
                t('role'),
                t('twoStep'),
                t('state'),
                t('lastSignIn'),
                t('actions'),
              ]}
              items={page.items}
              row={(op) => (
                <OperatorRow key={op.id} op={op} onChanged={() => void state.reload()} />
              )}
              empty={t('none')}
            />
          )}
        </Loaded>
      </section>
    </>
  );
}
