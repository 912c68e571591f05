import { Fragment, useState, type FormEvent } from 'react';
import { ApiError, control, get, post } from '../../api.ts';
import type { EmulatorAudit, EmulatorMerchant, TenantPage } from '../../api-types.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { FieldError, FormError } from '../../components/field-error.tsx';
import { PageHeader } from '../../components/layout.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { Empty, ErrorBox, Loaded } from '../../components/states.tsx';
import { useT } from '../../i18n.ts';
import { useAction } from '../../use-action.ts';
import { useApi } from '../../use-api.ts';
import { Decisions } from './decisions.tsx';
import { Drafts } from './drafts.tsx';
import { messages } from './messages.ts';
import { ActionError, Note, SaidError, type T } from './parts.tsx';

type Authorization = { appid: string; status: string };

function PushTicket(props: { t: T }) {
  const { t } = props;
  const a = useAction();
  return (
    <section className="card">
      <h2>{t('ticketTitle')}</h2>
      <button
        type="button"
        disabled={a.busy}
        onClick={() =>
          a.run(async () => {
            const r = await control<{ status: number }>('/push-ticket', {});
            return t('pushed', { status: r.status });
          })
        }
      >
        {t('pushTicket')}
      </button>
      <Note text={a.note} />
      <FormError error={a.error} fields={[]} />
    </section>
  );
}

function Merchants(props: {
  t: T;
  merchants: EmulatorMerchant[];
  authorized: Set<string>;
  onChange: () => void;
}) {
  const { t } = props;
  const [type, setType] = useState<EmulatorMerchant['type']>('miniprogram');
  const [nickname, setNickname] = useState('');
  const [local, setLocal] = useState<string | undefined>();
  const [tenantId, setTenantId] = useState('');
  const tenants = useApi(() => get<TenantPage>('/api/admin/tenants', { limit: 200 }), []);
  const a = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!nickname.trim()) return setLocal(t('nicknameMissing'));
    setLocal(undefined);
    void a.run(async () => {
      const m = await control<EmulatorMerchant>('/merchants', { type, nickname: nickname.trim() });
      setNickname('');
      props.onChange();
      return t('merchantCreated', { nickname: m.nickname, appid: m.appid });
    });
  };
  return (
    <section className="card">
      <h2>{t('merchantTitle')}</h2>
      <p className="help">{t('merchantIntro')}</p>
      <form onSubmit={submit} noValidate>
        <label htmlFor="merchant-type">{t('type')}</label>
        <select
          id="merchant-type"
          value={type}
          onChange={(e) => setType(e.target.value as EmulatorMerchant['type'])}
        >
          <option value="miniprogram">{t('miniprogram')}</option>
          <option value="officialaccount">{t('officialaccount')}</option>
        </select>
        <label htmlFor="merchant-nickname">{t('nickname')}</label>
        <input
          id="merchant-nickname"
          value={nickname}
          maxLength={64}
          onChange={(e) => setNickname(e.target.value)}
        />
        <FieldError field="nickname" local={local} />
        <button type="submit" disabled={a.busy}>
          {t('createMerchant')}
        </button>
      </form>
      <Note text={a.note} />
      <FormError error={a.error} fields={[]} />
      <h3>{t('merchants')}</h3>
      <label htmlFor="authorize-tenant">{t('authorizeFor')}</label>
      <select id="authorize-tenant" value={tenantId} onChange={(e) => setTenantId(e.target.value)}>
        <option value="">{t('noTenant')}</option>
        {(tenants.data?.items ?? []).map((x) => (
          <option key={x.id} value={x.id}>
            {x.name}
          </option>
        ))}
      </select>
      {props.merchants.length ? (
        <ul className="compact" data-testid="merchants">
          {props.merchants.map((m) => (
            <li key={m.appid}>
              {m.nickname} · {t(m.type)} · <code>{m.appid}</code> ·{' '}
              {props.authorized.has(m.appid) ? (
                t('authorizedState')
              ) : (
                <>
                  {t('notAuthorized')}{' '}
                  <button
                    type="button"
                    className="small"
                    disabled={a.busy}
                    data-testid={`authorize-${m.appid}`}
                    onClick={() =>
                      a.run(async () => {
                        // The merchant's click on WeChat's page, played by the emulator, on a
                        // link created by openwx as the Onboarding page does.
                        const link = await post<{ pre_auth_code: string }>(
                          '/api/admin/authorizations',
                          tenantId ? { tenant_id: tenantId } : {},
                        );
                        await control('/authorize', {
                          pre_auth_code: link.pre_auth_code,
                          appid: m.appid,
                        });
                        props.onChange();
                        return t('merchantAuthorized', { nickname: m.nickname });
                      })
                    }
                  >
                    {t('authorizeNow')}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <Empty />
      )}
    </section>
  );
}

function SendMessage(props: { t: T; accounts: EmulatorMerchant[] }) {
  const { t } = props;
  const [appid, setAppid] = useState('');
  const [openid, setOpenid] = useState('oSANDBOX_USER');
  const [content, setContent] = useState('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const a = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const chosen = appid || props.accounts[0]?.appid || '';
    const problems: Record<string, string> = {};
    if (!chosen) problems['appid'] = t('chooseAppid');
    if (!openid.trim()) problems['openid'] = t('openidMissing');
    if (!content.trim()) problems['content'] = t('contentMissing');
    setLocal(problems);
    if (Object.keys(problems).length) return;
    void a.run(async () => {
      const r = await control<{ status: number }>('/messages', {
        appid: chosen,
        openid: openid.trim(),
        content,
      });
      return t('sent', { status: r.status });
    });
  };
  return (
    <section className="card">
      <h2>{t('messageTitle')}</h2>
      {props.accounts.length === 0 ? <p className="help">{t('noAuthorized')}</p> : null}
      <form onSubmit={submit} noValidate>
        <label htmlFor="message-appid">{t('appid')}</label>
        <select id="message-appid" value={appid} onChange={(e) => setAppid(e.target.value)}>
          {props.accounts.map((x) => (
            <option key={x.appid} value={x.appid}>
              {x.nickname} · {t(x.type)} · {x.appid}
            </option>
          ))}
        </select>
        <FieldError field="appid" local={local['appid']} />
        <label htmlFor="message-openid">{t('openid')}</label>
        <input id="message-openid" value={openid} onChange={(e) => setOpenid(e.target.value)} />
        <FieldError field="openid" local={local['openid']} />
        <label htmlFor="message-content">{t('content')}</label>
        <textarea
          id="message-content"
          value={content}
          maxLength={4096}
          rows={2}
          onChange={(e) => setContent(e.target.value)}
        />
        <FieldError field="content" local={local['content']} />
        <button type="submit" disabled={a.busy}>
          {t('send')}
        </button>
      </form>
      <Note text={a.note} />
      <FormError error={a.error} fields={[]} />
    </section>
  );
}

function AuditRow(props: { t: T; audit: EmulatorAudit; onDecided: () => void }) {
  const { t, audit } = props;
  const [reason, setReason] = useState('');
  const [local, setLocal] = useState<string | undefined>();
  const a = useAction();
  const open = audit.status === 2 || audit.status === 4;
  const decide = (result: 'success' | 'fail') => {
    if (result === 'fail' && !reason.trim()) return setLocal(t('reasonMissing'));
    setLocal(undefined);
    void a.run(async () => {
      try {
        await control(`/audits/${audit.auditid}`, {
          result,
          ...(result === 'fail' ? { reason: reason.trim() } : {}),
        });
      } catch (err) {
        // Decided meanwhile (by the audit policy, or elsewhere): say so, and show its state.
        if (err instanceof ApiError && err.status === 409) {
          props.onDecided();
          throw new SaidError((say) => say('notInFlight', { auditid: audit.auditid }), err);
        }
        throw err;
      }
      props.onDecided();
      return t('decided', {
        auditid: audit.auditid,
        result: t(result === 'success' ? 'pass' : 'fail'),
      });
    });
  };
  return (
    <li className="audit" data-auditid={audit.auditid} data-status={audit.status}>
      <div>
        <strong>#{audit.auditid}</strong> · <code>{audit.appid}</code> · {t('version')}{' '}
        {audit.version.user_version} ·{' '}
        <span className={`badge s${audit.status}`}>{t(`status${audit.status}`)}</span> ·{' '}
        <RelativeTime at={new Date(audit.submit_time * 1000).toISOString()} absolute={false} />
      </div>
      {audit.reason ? <p className="help">{audit.reason}</p> : null}
      {open ? (
        <div className="row wrap">
          <input
            aria-label={t('reason')}
            placeholder={t('reason')}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
          <button
            type="button"
            className="primary"
            disabled={a.busy}
            onClick={() => decide('success')}
          >
            {t('pass')}
          </button>
          <button type="button" className="danger" disabled={a.busy} onClick={() => decide('fail')}>
            {t('fail')}
          </button>
        </div>
      ) : null}
      <FieldError field="reason" local={local} />
      <Note text={a.note} />
      <ActionError t={t} error={a.error} />
    </li>
  );
}

function Audits(props: { t: T }) {
  const { t } = props;
  const state = useApi(() => control<{ audits: EmulatorAudit[] }>('/audits'), []);
  return (
    <section className="card wide">
      <div className="page-header">
        <h2>{t('auditsTitle')}</h2>
        <button type="button" onClick={() => void state.reload()}>
          {t('reload')}
        </button>
      </div>
      <p className="help">{t('auditsIntro')}</p>
      <Loaded state={state}>
        {(d) =>
          d.audits.length ? (
            <ul className="audits">
              {[...d.audits].reverse().map((x) => (
                <AuditRow key={x.auditid} t={t} audit={x} onDecided={() => void state.reload()} />
              ))}
            </ul>
          ) : (
            <Empty>{t('noAudits')}</Empty>
          )
        }
      </Loaded>
    </section>
  );
}

/**
 * "Reset the sandbox": openwx's data and the emulator's world cleared together, after a
 * confirmation (POST /api/admin/sandbox/reset; admins only).
 */
function ResetSandbox(props: { t: T; onReset: () => void }) {
  const { t } = props;
  const a = useAction();
  return (
    <section className="card" data-testid="sandbox-reset">
      <h2>{t('resetTitle')}</h2>
      <p className="help">{t('resetIntro')}</p>
      <ConfirmButton
        question={t('resetQuestion')}
        disabled={a.busy}
        onConfirm={() =>
          a.run(async () => {
            const r = await post<{ tablesCleared: string[] }>('/api/admin/sandbox/reset', {
              confirm: true,
            });
            props.onReset();
            return t('resetDone', { tables: r.tablesCleared.length });
          })
        }
      >
        {t('resetButton')}
      </ConfirmButton>
      <Note text={a.note} />
      <FormError error={a.error} fields={[]} />
    </section>
  );
}

/** The emulator's control panel (sandbox mode only). */
export function SandboxPage() {
  const t = useT(messages);
  // Bumped by a reset: every panel below is drawn anew from the new world.
  const [generation, setGeneration] = useState(0);
  const state = useApi(
    () =>
      Promise.all([
        control<{ merchants: EmulatorMerchant[] }>('/merchants'),
        control<{ authorizations: Authorization[] }>('/authorizations'),
      ]),
    [],
  );
  const [merchants, auths] = state.data ?? [{ merchants: [] }, { authorizations: [] }];
  const authorized = new Set(
    auths.authorizations.filter((x) => x.status === 'authorized').map((x) => x.appid),
  );
  return (
    <>
      <PageHeader title={t('title')} />
      <p className="help">{t('intro')}</p>
      {state.error !== undefined ? (
        <ErrorBox error={state.error} onRetry={() => void state.reload()} />
      ) : null}
      <div className="grid two">
        <Fragment key={generation}>
          <PushTicket t={t} />
          <SendMessage
            t={t}
            accounts={merchants.merchants.filter((m) => authorized.has(m.appid))}
          />
          <Merchants
            t={t}
            merchants={merchants.merchants}
            authorized={authorized}
            onChange={() => void state.reload()}
          />
          <Drafts t={t} />
          <Decisions t={t} merchants={merchants.merchants} />
          <Audits t={t} />
        </Fragment>
        <ResetSandbox
          t={t}
          onReset={() => {
            setGeneration((g) => g + 1);
            void state.reload();
          }}
        />
      </div>
    </>
  );
}
