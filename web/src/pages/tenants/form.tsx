import { useState, type FormEvent, type ReactNode } from 'react';
import type { Tenant } from '../../api-types.ts';
import { FieldError, FormError } from '../../components/field-error.tsx';
import { useT } from '../../i18n.ts';
import { parseExt } from './ext-json.ts';
import { messages } from './messages.ts';

/**
 * A tenant's name and ext JSON, both checked before `send` is called. Without `tenant` it is the
 * new-tenant form (empty, cleared once sent); with it, the edit form. `children` renders the submit
 * button: `busy` while sending, `saved` once the last send succeeded.
 */
export function TenantForm(props: {
  id: string;
  tenant?: Tenant;
  send: (body: { name: string; ext: Record<string, unknown> }) => Promise<void>;
  children: (state: { busy: boolean; saved: boolean }) => ReactNode;
}) {
  const t = useT(messages);
  const editing = props.tenant !== undefined;
  const [name, setName] = useState(props.tenant?.name ?? '');
  const [ext, setExt] = useState(editing ? JSON.stringify(props.tenant?.ext, null, 2) : '');
  const [local, setLocal] = useState<{ name?: string; ext?: string }>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setSaved(false);
    const errs: { name?: string; ext?: string } = {};
    if (!name.trim()) errs.name = t('nameMissing');
    const parsed = parseExt(ext);
    if (!parsed.ok)
      errs.ext =
        parsed.reason === null ? t('extNotObject') : t('extInvalid', { reason: parsed.reason });
    setLocal(errs);
    if (errs.name || errs.ext || !parsed.ok) return;
    setBusy(true);
    try {
      await props.send({ name: name.trim(), ext: parsed.value });
      if (!editing) {
        setName('');
        setExt('');
      }
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate>
      <label htmlFor={`${props.id}-name`}>{t('name')}</label>
      <input
        id={`${props.id}-name`}
        value={name}
        maxLength={200}
        aria-invalid={local.name ? true : undefined}
        onChange={(e) => setName(e.target.value)}
      />
      <FieldError field="name" local={local.name} error={error} />
      <label htmlFor={`${props.id}-ext`}>{t('ext')}</label>
      <textarea
        id={`${props.id}-ext`}
        className="code"
        rows={editing ? 6 : 4}
        value={ext}
        placeholder={editing ? undefined : '{}'}
        aria-invalid={local.ext ? true : undefined}
        onChange={(e) => setExt(e.target.value)}
      />
      {editing ? null : <p className="help">{t('extHelp')}</p>}
      <FieldError field="ext" local={local.ext} error={error} />
      <FormError error={error} fields={['name', 'ext']} />
      {props.children({ busy, saved })}
    </form>
  );
}
