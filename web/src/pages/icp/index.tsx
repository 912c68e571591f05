import { useEffect, useState, type FormEvent } from 'react';
import { api, post } from '../../api.ts';
import { ConfirmButton } from '../../components/confirm-button.tsx';
import { FieldError, FormError } from '../../components/field-error.tsx';
import { RelativeTime } from '../../components/relative-time.tsx';
import { Loaded, useErrorText } from '../../components/states.tsx';
import { useT } from '../../i18n.ts';
import { Link } from '../../router.tsx';
import type { PageProps } from '../../routes.tsx';
import { useApi } from '../../use-api.ts';
import { ApplicationForm } from './application-form.tsx';
import { messages } from './messages.ts';

/** The ICP filing of one mini program (src/services/icp/routes.ts). */
interface Filing {
  appid: string;
  state: string;
  wechat_status: number | null;
  is_canceling: boolean;
  audit_data: Array<{ key_name: string; error: string; suggest: string }>;
  verify_task_id: string | null;
  face_status: number | null;
  media: Array<{ media_id: string; type: string; icp_order_field: string }>;
  history: Array<{ id: number; kind: string; state: string; by: string; at: string }>;
}

type Key = keyof typeof messages.zh;

/** The skeleton of an application, for the operator to complete. */
function template(f: Filing): string {
  const media = f.media[0]?.media_id ?? 'MEDIA_ID';
  const principal = {
    name: '',
    mobile: '',
    email: '',
    emergency_contact: '',
    certificate_type: 2,
    certificate_number: '',
    certificate_validity_date_start: 'YYYYMMDD',
    certificate_validity_date_end: 'YYYYMMDD',
    certificate_photo_front: media,
    certificate_photo_back: media,
  };
  return JSON.stringify(
    {
      icp_subject: {
        base_info: { type: 5, name: '', province: '', city: '', district: '', address: '' },
        organize_info: { certificate_type: 2, certificate_number: '', certificate_address: '' },
        principal_info: principal,
      },
      icp_applets: {
        base_info: { service_content_types: [], nrlx_details: [{ type: 24 }], comment: '' },
        principal_info: { ...principal, verify_task_id: f.verify_task_id ?? '' },
      },
      icp_materials: {},
    },
    null,
    2,
  );
}

/**
 * What the filing's state allows, and why not: WeChat takes a new face verification, materials
 * and an application only while nothing is under review and the mini program is not filed
 * (doc applyIcpFiling; get_icp_entrance_info status 2/4 in review, 6 filed).
 */
function blockedBy(f: Filing): 'inReview' | 'filed' | undefined {
  if (f.state === 'submitted' || f.state === 'under_review') return 'inReview';
  if (f.state === 'filed') return 'filed';
  return undefined;
}

/** A refusal naming a field of the application shows under that field, not again at the foot. */
function formField(error: unknown): string[] {
  const field = (error as { field?: unknown } | undefined)?.field;
  return typeof field === 'string' && field.startsWith('icp_') ? [field] : [];
}

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(file);
  });
}

export function IcpPage(props: PageProps) {
  const t = useT(messages);
  const appid = props.params['appid'] ?? '';
  const base = `/api/admin/authorizers/${appid}/icp`;
  const filing = useApi(() => api<Filing>('GET', base), [base]);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string | undefined>();

  async function run(action: () => Promise<unknown>) {
    setError(undefined);
    setDone(undefined);
    try {
      await action();
      setDone(t('done'));
      await filing.reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <div data-testid="icp">
      <p>
        <Link to={`/authorizers/${appid}`}>{t('back')}</Link>
      </p>
      <h1>
        {t('title')} · <code>{appid}</code>
      </h1>
      <Loaded state={filing}>
        {(f) => (
          <>
            <Summary f={f} onRefresh={() => run(() => post(`${base}/refresh`))} />
            <section className="card">
              <h2>{t('face')}</h2>
              <p className="help">{t('faceHelp')}</p>
              <p>
                {t('faceStatus')}:{' '}
                <strong data-testid="face-status">
                  {f.face_status === null ? '—' : t(`face_${f.face_status}` as Key)}
                </strong>
              </p>
              <button
                type="button"
                disabled={blockedBy(f) !== undefined}
                title={blockedBy(f) ? t(`blocked_${blockedBy(f)}` as Key) : undefined}
                onClick={() => void run(() => post(`${base}/verification`, {}))}
              >
                {t('faceStart')}
              </button>{' '}
              <button
                type="button"
                disabled={!f.verify_task_id}
                title={f.verify_task_id ? undefined : t('noTask')}
                onClick={() => void run(() => api('GET', `${base}/verification`))}
              >
                {t('faceCheck')}
              </button>
              {blockedBy(f) ? (
                <p className="muted" data-testid="icp-blocked">
                  {t(`blocked_${blockedBy(f)}` as Key)}
                </p>
              ) : null}
            </section>
            <MediaForm base={base} f={f} run={run} error={error} />
            <ApplicationForm
              base={base}
              f={f}
              blocked={blockedBy(f) ? t(`blocked_${blockedBy(f)}` as Key) : undefined}
              run={run}
              error={error}
              advanced={<ApplyForm base={base} f={f} run={run} error={error} />}
            />
            <section className="card">
              <h2>{t('withdraw')}</h2>
              <ConfirmButton
                question={t('withdrawQuestion')}
                disabled={f.state !== 'submitted'}
                onConfirm={() => run(() => post(`${base}/application/withdraw`))}
              >
                {t('withdraw')}
              </ConfirmButton>
              <CancelForm base={base} f={f} run={run} />
            </section>
            {done ? (
              <p className="notice ok" role="status">
                {done}
              </p>
            ) : null}
            <FormError
              error={error}
              fields={[
                'type',
                'icp_order_field',
                'content_base64',
                'application',
                ...formField(error),
              ]}
            />
            <section className="card">
              <h2>{t('history')}</h2>
              <ul className="compact" data-testid="icp-history">
                {f.history.map((h) => (
                  <li key={h.id}>
                    <code>{h.kind}</code> → {t(`state_${h.state}` as Key)} · {h.by} ·{' '}
                    <RelativeTime at={h.at} absolute={false} />
                  </li>
                ))}
              </ul>
            </section>
          </>
        )}
      </Loaded>
    </div>
  );
}

function Summary(props: { f: Filing; onRefresh: () => Promise<void> }) {
  const t = useT(messages);
  const { f } = props;
  return (
    <section className="card">
      <h2>{t('state')}</h2>
      <p>
        <strong data-testid="icp-state" data-state={f.state}>
          {t(`state_${f.state}` as Key)}
        </strong>
        {f.wechat_status !== null ? (
          <span className="muted">
            {' '}
            · {t('wechatStatus')} {f.wechat_status}
          </span>
        ) : null}
        {f.is_canceling ? <span className="muted"> · {t('canceling')}</span> : null}
      </p>
      {f.audit_data.length > 0 ? (
        <>
          <h3>{t('reasons')}</h3>
          <ul data-testid="icp-reasons">
            {f.audit_data.map((a, i) => (
              <li key={i}>
                <strong>{a.key_name}</strong>: {a.error}
                {a.suggest ? <span className="muted"> ({a.suggest})</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <button type="button" onClick={() => void props.onRefresh()}>
        {t('refresh')}
      </button>
    </section>
  );
}

interface FormProps {
  base: string;
  f: Filing;
  run: (action: () => Promise<unknown>) => Promise<void>;
  error?: unknown;
}

function MediaForm(props: FormProps) {
  const t = useT(messages);
  const [type, setType] = useState('image');
  const [field, setField] = useState('icp_subject.principal_info.certificate_photo_front');
  const [certificate, setCertificate] = useState('');
  const [file, setFile] = useState<File | undefined>();

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!file) return;
    void props.run(async () =>
      post(`${props.base}/media`, {
        type,
        icp_order_field: field,
        ...(certificate ? { certificate_type: Number(certificate) } : {}),
        filename: file.name,
        content_base64: await readBase64(file),
      }),
    );
  }

  return (
    <section className="card">
      <h2>{t('media')}</h2>
      <p className="help">{t('mediaHelp')}</p>
      {props.f.media.length === 0 ? (
        <p className="muted">{t('mediaNone')}</p>
      ) : (
        <ul className="compact" data-testid="icp-media">
          {props.f.media.map((m) => (
            <li key={m.media_id}>
              {m.type} · {m.icp_order_field} · <code>{m.media_id}</code>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={submit} noValidate>
        <label htmlFor="icp-media-type">{t('mediaType')}</label>
        <select id="icp-media-type" value={type} onChange={(e) => setType(e.target.value)}>
          <option value="image">{t('mediaImage')}</option>
          <option value="video">{t('mediaVideo')}</option>
        </select>
        <FieldError field="type" error={props.error} />
        <label htmlFor="icp-media-field">{t('mediaField')}</label>
        <input id="icp-media-field" value={field} onChange={(e) => setField(e.target.value)} />
        <FieldError field="icp_order_field" error={props.error} label={t('mediaField')} />
        <label htmlFor="icp-media-certificate">{t('mediaCertificate')}</label>
        <input
          id="icp-media-certificate"
          inputMode="numeric"
          value={certificate}
          onChange={(e) => setCertificate(e.target.value.replace(/\D/g, ''))}
        />
        <label htmlFor="icp-media-file">{t('mediaFile')}</label>
        <input
          id="icp-media-file"
          type="file"
          accept="image/jpeg,image/png,image/gif,image/bmp,video/mp4"
          onChange={(e) => setFile(e.target.files?.[0])}
        />
        <FieldError field="content_base64" error={props.error} />
        <button
          type="submit"
          disabled={!file || blockedBy(props.f) !== undefined}
          title={blockedBy(props.f) ? t(`blocked_${blockedBy(props.f)}` as Key) : undefined}
        >
          {t('mediaUpload')}
        </button>
      </form>
    </section>
  );
}

function ApplyForm(props: FormProps) {
  const t = useT(messages);
  const errorText = useErrorText();
  const [text, setText] = useState(() => template(props.f));
  const [edited, setEdited] = useState(false);
  const [local, setLocal] = useState<string | undefined>();
  // Until the operator edits it, the skeleton follows the uploads and the verification task.
  const { f } = props;
  useEffect(() => {
    if (!edited) setText(template(f));
  }, [edited, f]);

  function submit(e: FormEvent) {
    e.preventDefault();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      setLocal(t('applyNotJson'));
      return;
    }
    setLocal(undefined);
    void props.run(() => post(`${props.base}/application`, body));
  }

  return (
    <section className="card">
      <h2>{t('apply')}</h2>
      <p className="help">{t('applyHelp')}</p>
      <form onSubmit={submit} noValidate>
        <label htmlFor="icp-application">{t('applyBody')}</label>
        <textarea
          id="icp-application"
          rows={16}
          value={text}
          onChange={(e) => {
            setEdited(true);
            setText(e.target.value);
          }}
          spellCheck={false}
        />
        <FieldError field="application" error={props.error} local={local} />
        {props.error !== undefined &&
        typeof (props.error as { field?: unknown }).field === 'string' &&
        String((props.error as { field: string }).field).startsWith('icp_') ? (
          <p className="field-error" role="alert" data-field="application">
            <code>{(props.error as { field: string }).field}</code>: {errorText(props.error)}
          </p>
        ) : null}
        <button
          type="submit"
          disabled={blockedBy(props.f) !== undefined}
          title={blockedBy(props.f) ? t(`blocked_${blockedBy(props.f)}` as Key) : undefined}
        >
          {t('applySubmit')}
        </button>
      </form>
    </section>
  );
}

function CancelForm(props: Omit<FormProps, 'error'>) {
  const t = useT(messages);
  const [type, setType] = useState('2');
  return (
    <p>
      <label htmlFor="icp-cancel-type">{t('cancelType')}</label>{' '}
      <select id="icp-cancel-type" value={type} onChange={(e) => setType(e.target.value)}>
        {['1', '2', '3'].map((v) => (
          <option key={v} value={v}>
            {t(`cancel_${v}` as Key)}
          </option>
        ))}
      </select>{' '}
      <ConfirmButton
        question={t('cancelQuestion')}
        disabled={props.f.state !== 'filed' || props.f.is_canceling}
        onConfirm={() =>
          props.run(() => post(`${props.base}/cancel`, { cancel_type: Number(type) }))
        }
      >
        {t('cancel')}
      </ConfirmButton>
    </p>
  );
}
