import { useState, type FormEvent } from 'react';
import { api, ApiError, get } from '../../api.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { FieldError, FormError } from '../../components/field-error.tsx';
import { Reason } from '../../components/reason.tsx';
import { useT } from '../../i18n.ts';
import { useApi } from '../../use-api.ts';
import { messages } from './messages.ts';
import type { CodeState, Preflight, TemplateList, VersionStep } from './types.ts';

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

type Why = string | undefined;

/**
 * Why each code action is not possible in this state (undefined: it is). The same rules as the
 * API's: submit needs a committed version, no audit in flight and a passing pre-flight; release
 * and a phased release need a passed audit; withdraw needs an audit in flight, speed-up one
 * under review; rollback and the service status need a version online.
 */
export function whyNot(
  t: (k: Key, p?: Record<string, string | number>) => string,
  code: CodeState | undefined,
  preflight: Preflight | undefined,
): Record<
  'submit' | 'speedup' | 'undo' | 'release' | 'rollback' | 'gray' | 'grayRevert' | 'close' | 'open',
  Why
> {
  if (!code) {
    const loading = t('whyLoading');
    return {
      submit: loading,
      speedup: loading,
      undo: loading,
      release: loading,
      rollback: loading,
      gray: loading,
      grayRevert: loading,
      close: loading,
      open: loading,
    };
  }
  const audit = code.audit?.state;
  const inFlight = audit === 'auditing' || audit === 'delayed';
  const passed = audit === 'passed';
  const closed = code.visit_status === 'close';
  return {
    submit: !code.committed
      ? t('whyNoCommit')
      : inFlight
        ? t('whyAuditInFlight')
        : preflight && !preflight.ok
          ? t('whyPreflight')
          : undefined,
    speedup: audit === 'auditing' ? undefined : t('whyNotAuditing'),
    undo: inFlight ? undefined : t('whyNoAuditInFlight'),
    release: passed
      ? undefined
      : audit === 'released'
        ? t('whyReleasedAlready')
        : t('whyNotPassed'),
    rollback: code.released ? undefined : t('whyNothingOnline'),
    gray: passed ? undefined : t('whyNotPassed'),
    grayRevert: code.gray ? undefined : t('whyNoGray'),
    close: !code.released ? t('whyNothingOnline') : closed ? t('whyClosedAlready') : undefined,
    open: closed ? undefined : t('whyOpenAlready'),
  };
}

/** A disabled action's reason, under the buttons (the same text is the buttons' tooltip). */
function WhyList(props: { items: Array<[string, Why]> }) {
  const shown = props.items.filter((x): x is [string, string] => x[1] !== undefined);
  if (!shown.length) return null;
  return (
    <ul className="why-disabled">
      {shown.map(([label, why]) => (
        <li key={label} data-why={label}>
          {label}: {why}
        </li>
      ))}
    </ul>
  );
}

/**
 * Every action on the code pipeline, each enabled only when the mini program's state allows it
 * (a disabled one says why). A refusal shows its message (and, for a failed pre-flight, the
 * checks that failed).
 */
export function CodeActions(props: {
  appid: string;
  code: CodeState | undefined;
  preflight: Preflight | undefined;
  onDone: () => Promise<void>;
}) {
  const t = useT(messages);
  const why = whyNot(t, props.code, props.preflight);
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
                  <strong>{t(`check_${c.check}` as Key)}</strong>:{' '}
                  <Reason code={c.code} params={c.params} fallback={c.detail} />
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
              disabled={busy !== undefined || why.submit !== undefined}
              title={why.submit}
              data-action="submit"
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
              disabled={busy !== undefined || why.speedup !== undefined}
              title={why.speedup}
              data-action="speedup"
              onClick={() => void run('speedup', post('speedup'), t('spedUp'))}
            >
              {t('speedup')}
            </button>
            <ConfirmButton
              disabled={why.undo !== undefined}
              why={why.undo}
              question={t('undoQuestion')}
              onConfirm={() => run('undo', post('undo-audit'), t('withdrawn')).then(() => {})}
            >
              {t('undoAudit')}
            </ConfirmButton>
          </div>
          <WhyList
            items={[
              [t('submit'), why.submit],
              [t('speedup'), why.speedup],
              [t('undoAudit'), why.undo],
            ]}
          />
        </div>
        <div className="authz-form">
          <h3>{t('release')}</h3>
          <div className="row wrap">
            <ConfirmButton
              disabled={why.release !== undefined}
              why={why.release}
              question={t('releaseQuestion')}
              onConfirm={() => run('release', post('release'), t('released')).then(() => {})}
            >
              {t('release')}
            </ConfirmButton>
            <ConfirmButton
              disabled={why.rollback !== undefined}
              why={why.rollback}
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
              <button
                type="submit"
                disabled={busy !== undefined || why.gray !== undefined}
                title={why.gray}
              >
                {t('gray')}
              </button>
              <ConfirmButton
                disabled={why.grayRevert !== undefined}
                why={why.grayRevert}
                onConfirm={() =>
                  run('grayRevert', post('gray-release/revert'), t('grayReverted')).then(() => {})
                }
              >
                {t('grayRevert')}
              </ConfirmButton>
            </div>
            <WhyList
              items={[
                [t('release'), why.release],
                [t('rollback'), why.rollback],
                [t('gray'), why.gray],
                [t('grayRevert'), why.grayRevert],
              ]}
            />
            <FieldError field="percentage" local={pctError} error={errorFor('gray')} />
            <FormError error={errorFor('gray')} fields={['percentage']} />
          </form>
        </div>
        <div className="authz-form">
          <h3>{t('visitStatus')}</h3>
          <div className="row wrap">
            <ConfirmButton
              disabled={why.close !== undefined}
              why={why.close}
              question={t('closeQuestion')}
              onConfirm={() =>
                run('close', post('visit-status', { status: 'close' }), t('closed')).then(() => {})
              }
            >
              {t('closeService')}
            </ConfirmButton>
            <button
              type="button"
              disabled={busy !== undefined || why.open !== undefined}
              title={why.open}
              onClick={() =>
                void run('open', post('visit-status', { status: 'open' }), t('opened'))
              }
            >
              {t('openService')}
            </button>
          </div>
          <WhyList
            items={[
              [t('closeService'), why.close],
              [t('openService'), why.open],
            ]}
          />
        </div>
      </div>
    </section>
  );
}
