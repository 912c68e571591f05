import { useEffect, useRef, useState, type FormEvent, type ReactNode, type RefObject } from 'react';
import { api, get } from '../../api.ts';
import type { TenantPage } from '../../api-types.ts';
import { DataTable } from '../../components/data-table.tsx';
import { FieldError, FormError } from '../../components/field-error.tsx';
import { Reason, useReasonText } from '../../components/reason.tsx';
import { PageHeader } from '../../components/layout.tsx';
import { Pagination } from '../../components/pagination.tsx';
import { Empty, Loaded } from '../../components/states.tsx';
import { useT } from '../../i18n.ts';
import { Link, navigate } from '../../router.tsx';
import { useApi } from '../../use-api.ts';
import type { Template, TemplateList } from '../templates/types.ts';
import { messages } from './messages.ts';
import type { T } from './parts.tsx';
import type { Preview, PreviewItem, Rollout, RolloutInput } from './types.ts';

type TargetKind = 'all' | 'tenants' | 'appids' | 'below';
const FIELDS = [
  'template_id',
  'user_version',
  'user_desc',
  'target',
  'target.appids',
  'tenant_ids',
  'appids',
  'released_below',
  'ext',
  'ext_json',
  'waves',
  'gray_percentage',
  'failure_threshold',
] as const;
const PREVIEW_LIMIT = 20;

interface Form {
  templateId: string;
  userVersion: string;
  userDesc: string;
  kind: TargetKind;
  tenantIds: string[];
  appids: string;
  below: string;
  includeUnreleased: boolean;
  ext: string;
  waves: string;
  autoRelease: boolean;
  gray: string;
  threshold: string;
}

const intIn = (s: string, min: number, max: number) =>
  /^\d+$/.test(s.trim()) && Number(s) >= min && Number(s) <= max;

/** Checks the form as the server would, and builds the request; or the problems per field. */
function build(t: T, f: Form): { input?: RolloutInput; problems: Record<string, string> } {
  const p: Record<string, string> = {};
  if (!f.userVersion.trim()) p['user_version'] = t('userVersionMissing');
  else if (f.userVersion.trim().length > 64) p['user_version'] = t('userVersionLong');
  const target: RolloutInput['target'] = {};
  if (f.kind === 'all') target.all = true;
  if (f.kind === 'tenants') {
    if (f.tenantIds.length === 0) p['tenant_ids'] = t('tenantsMissing');
    target.tenant_ids = f.tenantIds;
  }
  if (f.kind === 'appids') {
    const appids = f.appids
      .split(/[\s,，]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    if (appids.length === 0) p['appids'] = t('appidsMissing');
    target.appids = [...new Set(appids)];
  }
  if (f.kind === 'below') {
    if (!f.below.trim()) p['released_below'] = t('belowMissing');
    else if (!/^\d+(\.\d+)*$/.test(f.below.trim())) p['released_below'] = t('belowInvalid');
    target.released_below = f.below.trim();
    if (f.includeUnreleased) target.include_unreleased = true;
  }
  const waves = f.waves
    .split(/[\s,，%]+/)
    .filter(Boolean)
    .map(Number);
  const wavesOk =
    waves.length > 0 &&
    waves.length <= 10 &&
    waves.every(
      (w, i) => Number.isFinite(w) && w > 0 && w <= 100 && (i === 0 || w > waves[i - 1]!),
    ) &&
    waves[waves.length - 1] === 100;
  if (!wavesOk) p['waves'] = t('wavesInvalid');
  let ext: Record<string, unknown> | undefined;
  if (f.ext.trim()) {
    try {
      const v = JSON.parse(f.ext) as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
      ext = v as Record<string, unknown>;
    } catch {
      p['ext'] = t('extInvalid');
    }
  }
  if (f.gray.trim() && !intIn(f.gray, 1, 100)) p['gray_percentage'] = t('grayInvalid');
  if (f.threshold.trim() && !intIn(f.threshold, 0, 100))
    p['failure_threshold'] = t('thresholdInvalid');
  if (Object.keys(p).length) return { problems: p };
  return {
    problems: p,
    input: {
      template_id: Number(f.templateId),
      user_version: f.userVersion.trim(),
      user_desc: f.userDesc,
      target,
      waves,
      ...(ext ? { ext } : {}),
      options: {
        auto_release: f.autoRelease,
        ...(f.gray.trim() ? { gray_percentage: Number(f.gray) } : {}),
        ...(f.threshold.trim() ? { failure_threshold: Number(f.threshold) } : {}),
      },
    },
  };
}

type CheckResult = {
  check: string;
  ok: boolean;
  detail: string;
  code?: string;
  params?: Record<string, unknown>;
};

function Check(props: { t: T; c: CheckResult }) {
  const { t, c } = props;
  const key = `c_${c.check}`;
  return (
    <li className={c.ok ? 'check-ok' : 'check-fail'} data-check={c.check} data-ok={String(c.ok)}>
      <span aria-hidden="true">{c.ok ? '✓' : '✗'}</span>{' '}
      <strong>{key in messages.zh ? t(key as keyof typeof messages.zh) : c.check}</strong>
      <span className="muted">
        {' · '}
        <Reason code={c.code} params={c.params} fallback={c.detail} />
      </span>
    </li>
  );
}

function PreviewApp(props: { t: T; item: PreviewItem }) {
  const { t, item } = props;
  const checks = (item.preflight['checks'] ?? []) as CheckResult[];
  const ok = item.preflight['ok'] === true;
  let pretty = item.commit.ext_json;
  try {
    pretty = JSON.stringify(JSON.parse(item.commit.ext_json), null, 2);
  } catch {
    // Shown as sent.
  }
  return (
    <li className="preview-app" data-appid={item.appid} data-ok={String(ok)}>
      <div className="row wrap">
        <code>{item.appid}</code>
        <span className={`badge ${ok ? 's0' : 's1'}`}>
          {ok ? t('preflightOk') : t('preflightFail')}
        </span>
        <span className="muted">
          {t('wave')} {item.wave} · {t('tenant')}: {item.tenant_id ?? t('none')} ·{' '}
          {t('releasedVersion')}: {item.released_version ?? t('none')}
        </span>
      </div>
      <div className="preview-grid">
        <div>
          <h4>{t('extJson')}</h4>
          <pre className="ext-json" data-testid={`ext-json-${item.appid}`}>
            {pretty}
          </pre>
        </div>
        <div>
          <h4>{t('preflight')}</h4>
          <ul className="checks">
            {checks.map((c) => (
              <Check key={c.check} t={t} c={c} />
            ))}
          </ul>
        </div>
      </div>
    </li>
  );
}

/** How many of the previewed mini programs fail their pre-flight, of how many checked. */
export function failingOf(p: Preview): { failing: number; checked: number } {
  return {
    failing: p.items.filter((i) => i.preflight['ok'] !== true).length,
    checked: p.items.length,
  };
}

function PreviewView(props: {
  t: T;
  preview: Preview;
  onPage: (offset: number) => void;
  sectionRef: RefObject<HTMLElement | null>;
  /** Start, next to how many fail their pre-flight, with its confirmation. */
  startBar: ReactNode;
}) {
  const { t, preview: p } = props;
  const reason = useReasonText();
  return (
    <section className="card wide" data-testid="preview" aria-live="polite" ref={props.sectionRef}>
      <h2>{t('previewTitle')}</h2>
      <p>
        {t('previewSummary', {
          total: p.total,
          template: p.template_id,
          version: p.user_version,
        })}
      </p>
      <p className={p.quota.enough ? 'notice ok' : 'notice warning'} data-testid="quota-message">
        {t('quota')}: {reason(p.quota, p.quota.message)}
      </p>
      {props.startBar}
      {p.warnings.length ? (
        <div className="notice warning" role="alert" data-testid="preview-warnings">
          <strong>{t('warningsTitle')}</strong>
          <ul className="compact">
            {(p.warning_reasons ?? p.warnings.map((message) => ({ message }))).map((w) => (
              <li key={w.message}>{reason(w, w.message)}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <DataTable
        kind="table"
        className="narrow"
        testId="preview-waves"
        head={[t('wave'), t('percent'), t('size')]}
        items={p.waves}
        row={(w) => (
          <tr key={w.wave}>
            <td>{w.wave}</td>
            <td>{w.percent}%</td>
            <td>{w.mini_programs}</td>
          </tr>
        )}
      />
      <ul className="preview-apps">
        {p.items.map((i) => (
          <PreviewApp key={i.appid} t={t} item={i} />
        ))}
      </ul>
      <Pagination
        kind="offset"
        offset={p.offset}
        limit={p.limit}
        total={p.total}
        onChange={props.onPage}
      />
    </section>
  );
}

function RolloutForm(props: { t: T; templates: Template[]; defaultId: number | null }) {
  const { t, templates } = props;
  const initial = templates.find((x) => x.template_id === props.defaultId) ?? templates[0];
  const [f, setF] = useState<Form>({
    templateId: initial ? String(initial.template_id) : '',
    userVersion: initial?.user_version ?? '',
    userDesc: initial?.user_desc ?? '',
    kind: 'all',
    tenantIds: [],
    appids: '',
    below: '',
    includeUnreleased: false,
    ext: '',
    waves: '100',
    autoRelease: true,
    gray: '',
    threshold: '',
  });
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<'preview' | 'start' | undefined>();
  const [preview, setPreview] = useState<{ input: RolloutInput; answer: Preview } | undefined>();
  const [stale, setStale] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const previewRef = useRef<HTMLElement>(null);
  // A new preview is shown where the operator looks: the page scrolls to it.
  useEffect(() => {
    if (preview) previewRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }, [preview]);
  const tenants = useApi(() => get<TenantPage>('/api/admin/tenants', { limit: 200 }), []);

  const set = <K extends keyof Form>(k: K, v: Form[K]) => {
    setF((old) => ({ ...old, [k]: v }));
    if (preview) setStale(true);
  };
  const chooseTemplate = (id: string) => {
    const tpl = templates.find((x) => String(x.template_id) === id);
    setF((old) => ({
      ...old,
      templateId: id,
      userVersion: tpl?.user_version ?? old.userVersion,
      userDesc: tpl?.user_desc ?? old.userDesc,
    }));
    if (preview) setStale(true);
  };

  const runPreview = async (input: RolloutInput, offset = 0) => {
    setBusy('preview');
    setError(undefined);
    try {
      const answer = await api<Preview>('POST', '/api/admin/rollouts/preview', {
        body: input,
        query: { offset, limit: PREVIEW_LIMIT },
      });
      setPreview({ input, answer });
      setStale(false);
      setConfirming(false);
    } catch (err) {
      setError(err);
      setPreview(undefined);
    } finally {
      setBusy(undefined);
    }
  };
  const onPreview = (e: FormEvent) => {
    e.preventDefault();
    const { input, problems: p } = build(t, f);
    setProblems(p);
    if (input) void runPreview(input);
  };
  const fails = preview ? failingOf(preview.answer) : { failing: 0, checked: 0 };
  const risky = preview ? fails.failing > 0 || !preview.answer.quota.enough : false;
  const onStart = async () => {
    if (!preview || stale) return;
    setConfirming(false);
    setBusy('start');
    setError(undefined);
    try {
      const r = await api<Rollout>('POST', '/api/admin/rollouts', { body: preview.input });
      navigate(`/rollouts/${r.id}`);
    } catch (err) {
      setError(err);
      setBusy(undefined);
    }
  };
  const startBar = preview ? (
    <div className="start-bar" data-testid="start-bar">
      <div className="row wrap">
        {!confirming ? (
          <button
            type="button"
            className={risky ? 'danger' : 'primary'}
            disabled={busy !== undefined || stale}
            data-testid="start-rollout"
            onClick={() => (risky ? setConfirming(true) : void onStart())}
          >
            {busy === 'start' ? t('starting') : t('start')}
          </button>
        ) : null}
        <span
          className={fails.failing ? 'preflight-summary bad' : 'preflight-summary ok'}
          data-testid="preflight-summary"
        >
          {fails.failing
            ? t(preview.answer.total > fails.checked ? 'failingSummaryShown' : 'failingSummary', {
                n: fails.failing,
                m: fails.checked,
                total: preview.answer.total,
              })
            : t('passingSummary', { m: fails.checked })}
        </span>
      </div>
      {stale ? <p className="notice warning">{t('previewStale')}</p> : null}
      {confirming ? (
        <div
          className="notice warning confirm-start"
          role="alertdialog"
          data-testid="start-confirm"
        >
          <p>
            {fails.failing
              ? t('startAnywayQuestion', { n: fails.failing, m: fails.checked })
              : t('startQuotaQuestion')}
          </p>
          <div className="row wrap">
            <button
              type="button"
              className="danger"
              disabled={busy !== undefined}
              onClick={() => void onStart()}
            >
              {t('startAnyway')}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              {t('cancelStart')}
            </button>
          </div>
        </div>
      ) : null}
    </div>
  ) : null;
  const targetError = (
    <>
      <FieldError field="target" error={error} />
      <FieldError field="target.appids" error={error} />
    </>
  );

  return (
    <>
      <form className="card wide rollout-form" onSubmit={onPreview} noValidate>
        <label htmlFor="rollout-template">{t('templateLabel')}</label>
        <select
          id="rollout-template"
          value={f.templateId}
          onChange={(e) => chooseTemplate(e.target.value)}
        >
          {templates.map((x) => (
            <option key={x.template_id} value={x.template_id}>
              #{x.template_id} · {x.user_version} · {x.user_desc}
              {x.is_default ? t('defaultMark') : ''}
            </option>
          ))}
        </select>
        <FieldError field="template_id" error={error} />

        <label htmlFor="rollout-version">{t('userVersion')}</label>
        <input
          id="rollout-version"
          value={f.userVersion}
          maxLength={64}
          aria-invalid={problems['user_version'] ? true : undefined}
          onChange={(e) => set('userVersion', e.target.value)}
        />
        <FieldError field="user_version" error={error} local={problems['user_version']} />
        <label htmlFor="rollout-desc">{t('userDesc')}</label>
        <input
          id="rollout-desc"
          value={f.userDesc}
          maxLength={1000}
          onChange={(e) => set('userDesc', e.target.value)}
        />
        <FieldError field="user_desc" error={error} />

        <fieldset className="target">
          <legend>{t('targetLabel')}</legend>
          {(['all', 'tenants', 'appids', 'below'] as const).map((k) => (
            <label key={k} className="check">
              <input
                type="radio"
                name="target-kind"
                value={k}
                checked={f.kind === k}
                onChange={() => set('kind', k)}
              />{' '}
              {t(k === 'below' ? 't_below' : `t_${k}`)}
            </label>
          ))}
          {f.kind === 'tenants' ? (
            <div className="sub" role="group" aria-label={t('tenantsLabel')}>
              <Loaded state={tenants}>
                {(page) =>
                  page.items.length ? (
                    <>
                      {page.items.map((x) => (
                        <label key={x.id} className="check">
                          <input
                            type="checkbox"
                            checked={f.tenantIds.includes(x.id)}
                            onChange={(e) =>
                              set(
                                'tenantIds',
                                e.target.checked
                                  ? [...f.tenantIds, x.id]
                                  : f.tenantIds.filter((id) => id !== x.id),
                              )
                            }
                          />{' '}
                          {x.name} <code className="muted">{x.id}</code>
                        </label>
                      ))}
                    </>
                  ) : (
                    <Empty>{t('noTenants')}</Empty>
                  )
                }
              </Loaded>
              <FieldError field="tenant_ids" error={error} local={problems['tenant_ids']} />
            </div>
          ) : null}
          {f.kind === 'appids' ? (
            <div className="sub">
              <label htmlFor="rollout-appids">{t('appidsLabel')}</label>
              <textarea
                id="rollout-appids"
                rows={4}
                value={f.appids}
                onChange={(e) => set('appids', e.target.value)}
              />
              <FieldError field="appids" error={error} local={problems['appids']} />
            </div>
          ) : null}
          {f.kind === 'below' ? (
            <div className="sub">
              <label htmlFor="rollout-below">{t('belowLabel')}</label>
              <input
                id="rollout-below"
                value={f.below}
                placeholder="1.4.0"
                onChange={(e) => set('below', e.target.value)}
              />
              <FieldError field="released_below" error={error} local={problems['released_below']} />
              <label className="check">
                <input
                  type="checkbox"
                  checked={f.includeUnreleased}
                  onChange={(e) => set('includeUnreleased', e.target.checked)}
                />{' '}
                {t('includeUnreleased')}
              </label>
            </div>
          ) : null}
          {targetError}
        </fieldset>

        <label htmlFor="rollout-ext">{t('extLabel')}</label>
        <textarea
          id="rollout-ext"
          rows={3}
          value={f.ext}
          placeholder='{"api": "https://api.example.com/{{appid}}"}'
          onChange={(e) => set('ext', e.target.value)}
        />
        <FieldError field="ext" error={error} local={problems['ext']} />
        <FieldError field="ext_json" error={error} />

        <label htmlFor="rollout-waves">{t('wavesLabel')}</label>
        <input
          id="rollout-waves"
          value={f.waves}
          placeholder="1, 10, 100"
          onChange={(e) => set('waves', e.target.value)}
        />
        <FieldError field="waves" error={error} local={problems['waves']} />

        <fieldset>
          <legend>{t('optionsLabel')}</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={f.autoRelease}
              onChange={(e) => set('autoRelease', e.target.checked)}
            />{' '}
            {t('autoRelease')}
          </label>
          <label htmlFor="rollout-gray">{t('grayLabel')}</label>
          <input
            id="rollout-gray"
            inputMode="numeric"
            value={f.gray}
            onChange={(e) => set('gray', e.target.value)}
          />
          <FieldError field="gray_percentage" error={error} local={problems['gray_percentage']} />
          <label htmlFor="rollout-threshold">{t('thresholdLabel')}</label>
          <input
            id="rollout-threshold"
            inputMode="numeric"
            value={f.threshold}
            placeholder="20"
            onChange={(e) => set('threshold', e.target.value)}
          />
          <FieldError
            field="failure_threshold"
            error={error}
            local={problems['failure_threshold']}
          />
        </fieldset>

        <div className="row wrap form-actions">
          <button type="submit" disabled={busy !== undefined}>
            {busy === 'preview' ? t('previewing') : t('preview')}
          </button>
        </div>
        {stale ? <p className="notice warning">{t('previewStale')}</p> : null}
        <FormError error={error} fields={FIELDS} />
      </form>
      {preview ? (
        <PreviewView
          t={t}
          sectionRef={previewRef}
          startBar={startBar}
          preview={preview.answer}
          onPage={(offset) => void runPreview(preview.input, offset)}
        />
      ) : null}
    </>
  );
}

/** A new rollout: the form, then a preview of what each mini program gets, then Start. */
export function NewRolloutPage() {
  const t = useT(messages);
  const state = useApi(() => get<TemplateList>('/api/admin/templates'), []);
  return (
    <div className="releases">
      <PageHeader title={t('newTitle')}>
        <Link to="/rollouts">{t('back')}</Link>
      </PageHeader>
      <p className="help">{t('newIntro')}</p>
      <Loaded state={state}>
        {(list) => {
          const inLibrary = list.items.filter((x) => x.in_library);
          if (!inLibrary.length) {
            return (
              <Empty>
                {t('noLibrary')} <Link to="/templates">/templates</Link>
              </Empty>
            );
          }
          return <RolloutForm t={t} templates={inLibrary} defaultId={list.default_template_id} />;
        }}
      </Loaded>
    </div>
  );
}
