import { useState, type FormEvent } from 'react';
import { api, ApiError, get } from '../../api.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { FieldError, FormError } from '../../components/field-error.tsx';
import { useT } from '../../i18n.ts';
import { useApi } from '../../use-api.ts';
import { messages } from './messages.ts';
import type { Preflight, TemplateList, VersionStep } from './types.ts';

type Key = keyof typeof messages.zh;
type Run = (
  what: string,
  call: () => Promise<unknown>,
  done: string | ((answer: unknown) => string),
) => Promise<boolean>;

/** Commit a template as the trial version (template, version, description). */
function CommitForm(props: { appid: string; run: Run; error: unknown }) {
  const t = useT(messages);
  const templates = useApi(() => get<TemplateList>('/api/admin/templates'), []);
  const [templateId, setTemplateId] = useState('');
  const [version, setVersion] = useState('');
  const [desc, setDesc] = useState('');
  const [local, setLocal] = useState<{ user_version?: string; user_desc?: string }>({});
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const v = version.trim();
    const errs: typeof local = {};
    if (!v) errs.user_version = t('versionMissing');
    else if (v.length > 64) errs.user_version = t('versionTooLong');
    if (desc.length > 1000) errs.user_desc = t('descTooLong');
    setLocal(errs);
    if (Object.keys(errs).length) return;
    const body = {
      user_version: v,
      user_desc: desc,
      ...(templateId ? { template_id: Number(templateId) } : {}),
    };
    const ok = await props.run(
      'commit',
      () => api('POST', `/api/admin/authorizers/${props.appid}/code/commit`, { body }),
      t('committed', { v }),
    );
    if (ok) setVersion('');
  };
  const items = (templates.data?.items ?? []).filter((x) => x.in_library);
  return (
    <form onSubmit={submit} noValidate className="authz-form" data-testid="commit-form">
      <h3>{t('commit')}</h3>
      <label htmlFor="template_id">{t('templateId')}</label>
      <select id="template_id" value={templateId} onChange={(e) => setTemplateId(e.target.value)}>
        <option value="">
          {t('defaultTemplate')}
          {templates.data?.default_template_id != null
            ? ` (${templates.data.default_template_id})`
            : ''}
        </option>
        {items.map((x) => (
          <option key={x.template_id} value={x.template_id}>
            {x.template_id} · {x.user_version} · {x.user_desc}
          </option>
        ))}
      </select>
      <FieldError field="template_id" error={props.error} />
      <label htmlFor="user_version">{t('userVersion')}</label>
      <input
        id="user_version"
        value={version}
        maxLength={64}
        aria-invalid={local.user_version ? true : undefined}
        onChange={(e) => setVersion(e.target.value)}
      />
      <FieldError field="user_version" local={local.user_version} error={props.error} />
      <label htmlFor="user_desc">{t('userDesc')}</label>
      <input
        id="user_desc"
        value={desc}
        aria-invalid={local.user_desc ? true : undefined}
        onChange={(e) => setDesc(e.target.value)}
      />
      <FieldError field="user_desc" local={local.user_desc} error={props.error} />
      <FormError error={props.error} fields={['template_id', 'user_version', 'user_desc']} />
      <button type="submit">{t('commit')}</button>
    </form>
  );
}

/**
 * Every action on the code pipeline. The API decides what is allowed now: a refusal shows its
 * message (and, for a failed pre-flight, the checks that failed).
 */
export function CodeActions(props: { appid: string; onDone: () => Promise<void> }) {
  const t = useT(messages);
  const base = `/api/admin/authorizers/${props.appid}/code`;
  const [busy, setBusy] = useState<string | undefined>();
  const [error, setError] = useState<{ what: string; error: unknown } | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [failedChecks, setFailedChecks] = useState<Preflight['checks']>([]);
  const [autoRelease, setAutoRelease] = useState(false);
  const [percentage, setPercentage] = useState('10');
  const [pctError, setPctError] = useState<string | undefined>();

  const run: Run = async (what, call, done) => {
    setBusy(what);
    setError(undefined);
    setNotice(undefined);
    setFailedChecks([]);
    try {
      const answer = await call();
      setNotice(typeof done === 'string' ? done : done(answer));
      return true;
    } catch (err) {
      setError({ what, error: err });
      if (err instanceof ApiError && err.code === 'preflight_failed') {
        const pf = await get<Preflight>(`${base}/preflight`).catch(() => undefined);
        setFailedChecks(pf?.checks.filter((c) => !c.ok) ?? []);
      }
      return false;
    } finally {
      setBusy(undefined);
      await props.onDone();
    }
  };
  const post = (path: string, body?: unknown) => () =>
    api<VersionStep>('POST', `${base}/${path}`, body === undefined ? {} : { body });
  const errorFor = (what: string) => (error?.what === what ? error.error : undefined);

  const gray = async (e: FormEvent) => {
    e.preventDefault();
    const p = Number(percentage);
    if (!Number.isInteger(p) || p < 1 || p > 100) return setPctError(t('percentageInvalid'));
    setPctError(undefined);
    await run('gray', post('gray-release', { percentage: p }), t('grayStarted', { p }));
  };

  return (
    <section className="card" data-testid="code-actions">
      <h2>{t('actions')}</h2>
      {notice ? (
        <p className="notice ok" role="status" data-testid="action-notice">
          {notice}
        </p>
      ) : null}
      {error && error.what !== 'commit' && error.what !== 'gray' ? (
        <div data-testid="action-error">
          <FormError error={error.error} fields={[]} />
          {failedChecks.length ? (
            <ul className="authz-checks" data-testid="preflight-failures">
              {failedChecks.map((c) => (
                <li key={c.check} data-check={c.check}>
                  <span className="authz-fail">✗</span>{' '}
                  <strong>{t(`check_${c.check}` as Key)}</strong>: {c.detail}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      <div className="authz-actions">
        <CommitForm appid={props.appid} run={run} error={errorFor('commit')} />
        <div className="authz-form">
          <h3>{t('submit')}</h3>
          <label className="authz-check">
            <input
              type="checkbox"
              checked={autoRelease}
              onChange={(e) => setAutoRelease(e.target.checked)}
            />{' '}
            {t('autoRelease')}
          </label>
          <div className="row wrap">
            <button
              type="button"
              className="primary"
              disabled={busy !== undefined}
              onClick={() =>
                void run('submit', post('submit', { auto_release: autoRelease }), (step) =>
                  t('submitted', { id: (step as VersionStep).auditid ?? '?' }),
                )
              }
            >
              {t('submit')}
            </button>
            <button
              type="button"
              disabled={busy !== undefined}
              onClick={() => void run('speedup', post('speedup'), t('spedUp'))}
            >
              {t('speedup')}
            </button>
            <ConfirmButton
              question={t('undoQuestion')}
              onConfirm={() => run('undo', post('undo-audit'), t('withdrawn')).then(() => {})}
            >
              {t('undoAudit')}
            </ConfirmButton>
          </div>
        </div>
        <div className="authz-form">
          <h3>{t('release')}</h3>
          <div className="row wrap">
            <ConfirmButton
              question={t('releaseQuestion')}
              onConfirm={() => run('release', post('release'), t('released')).then(() => {})}
            >
              {t('release')}
            </ConfirmButton>
            <ConfirmButton
              question={t('rollbackQuestion')}
              onConfirm={() => run('rollback', post('rollback'), t('rolledBack')).then(() => {})}
            >
              {t('rollback')}
            </ConfirmButton>
          </div>
          <form className="authz-inline" onSubmit={gray} noValidate>
            <label htmlFor="percentage">{t('percentage')}</label>
            <div className="row wrap">
              <input
                id="percentage"
                type="number"
                min={1}
                max={100}
                value={percentage}
                aria-invalid={pctError ? true : undefined}
                onChange={(e) => setPercentage(e.target.value)}
              />
              <button type="submit" disabled={busy !== undefined}>
                {t('gray')}
              </button>
              <ConfirmButton
                onConfirm={() =>
                  run('grayRevert', post('gray-release/revert'), t('grayReverted')).then(() => {})
                }
              >
                {t('grayRevert')}
              </ConfirmButton>
            </div>
            <FieldError field="percentage" local={pctError} error={errorFor('gray')} />
            <FormError error={errorFor('gray')} fields={['percentage']} />
          </form>
        </div>
        <div className="authz-form">
          <h3>{t('visitStatus')}</h3>
          <div className="row wrap">
            <ConfirmButton
              question={t('closeQuestion')}
              onConfirm={() =>
                run('close', post('visit-status', { status: 'close' }), t('closed')).then(() => {})
              }
            >
              {t('closeService')}
            </ConfirmButton>
            <button
              type="button"
              disabled={busy !== undefined}
              onClick={() =>
                void run('open', post('visit-status', { status: 'open' }), t('opened'))
              }
            >
              {t('openService')}
            </button>
          </div>
        </div>
      </div>
    </section>
  );
}
