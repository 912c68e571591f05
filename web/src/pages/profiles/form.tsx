import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api.ts';
import { FieldError, FormError } from '../../components/field-error.tsx';
import { useErrorText } from '../../components/states.tsx';
import { useT } from '../../i18n.ts';
import { messages } from './messages.ts';
import { SERVER_KINDS, type Profile, type ProfileInput, type ServerKind } from './types.ts';

const CONTACTS = ['contact_email', 'contact_phone', 'contact_qq', 'contact_weixin'] as const;
const OWNER_KEYS = [...CONTACTS, 'notice_method'] as const;
type OwnerKey = (typeof OWNER_KEYS)[number];

const lines = (s: string) =>
  s
    .split('\n')
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * The API's error for a field or any part of it (`server_domains.request[0]` is shown under the
 * request domains), with the field it names.
 */
function PartError(props: { prefix: string; error: unknown; id: string; exact?: boolean }) {
  const text = useErrorText();
  const e = props.error;
  if (!(e instanceof ApiError) || e.field === undefined) return null;
  const p = props.prefix;
  const within = e.field.startsWith(`${p}.`) || e.field.startsWith(`${p}[`);
  if (e.field !== p && (props.exact || !within)) return null;
  return (
    <p className="field-error" role="alert" id={`${props.id}-error`} data-field={e.field}>
      {text(e)}
    </p>
  );
}

interface Draft {
  name: string;
  server: Record<ServerKind, string>;
  webview: string;
  categories: string;
  owner: Record<OwnerKey, string>;
  settingList: string;
  interfaces: string;
  signature: string;
}

type InterfaceSpec = NonNullable<ProfileInput['privacy_interfaces']>[number];

/** `wx.getLocation | reason | https://… https://…`: links to videos (.mp4) and pictures are told apart. */
function interfaceLine(i: InterfaceSpec): string {
  const links = [...(i.url_list ?? []), ...(i.pic_list ?? []), ...(i.video_list ?? [])];
  return `${i.api_name} | ${i.content} | ${links.join(' ')}`;
}

function parseInterface(line: string): InterfaceSpec | undefined {
  const parts = line.split('|').map((x) => x.trim());
  if (parts.length !== 3 || !parts[0] || !parts[1] || !parts[2]) return undefined;
  const links = parts[2].split(/\s+/).filter(Boolean);
  const video = links.filter((l) => /\.mp4(\?|#|$)/i.test(l));
  const pics = links.filter((l) => /\.(png|jpe?g|gif|bmp|webp)(\?|#|$)/i.test(l));
  const urls = links.filter((l) => !video.includes(l) && !pics.includes(l));
  return {
    api_name: parts[0],
    content: parts[1],
    ...(urls.length ? { url_list: urls } : {}),
    ...(pics.length ? { pic_list: pics } : {}),
    ...(video.length ? { video_list: video } : {}),
  };
}

function draftOf(p: Profile | undefined): Draft {
  const server = Object.fromEntries(
    SERVER_KINDS.map((k) => [k, (p?.server_domains?.[k] ?? []).join('\n')]),
  ) as Record<ServerKind, string>;
  const owner = Object.fromEntries(
    OWNER_KEYS.map((k) => [k, p?.privacy?.owner_setting[k] ?? '']),
  ) as Record<OwnerKey, string>;
  return {
    name: p?.name ?? '',
    server,
    webview: (p?.webview_domains ?? []).join('\n'),
    categories: (p?.categories ?? []).map((c) => `${c.first}/${c.second}`).join('\n'),
    owner,
    settingList: (p?.privacy?.setting_list ?? [])
      .map((s) => `${s.privacy_key}: ${s.privacy_text}`)
      .join('\n'),
    interfaces: (p?.privacy_interfaces ?? []).map(interfaceLine).join('\n'),
    signature: p?.basic_info?.signature ?? '',
  };
}

type Local = Partial<
  Record<'name' | 'categories' | 'setting_list' | 'interfaces' | 'signature', string>
>;

/** Create or edit a profile; empty sections are sent as null (not managed). */
export function ProfileForm(props: { profile?: Profile; onSaved: (p: Profile) => void }) {
  const t = useT(messages);
  const editing = props.profile;
  const [d, setD] = useState<Draft>(() => draftOf(editing));
  const [local, setLocal] = useState<Local>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const id = (s: string) => `profile-${s}`;

  const build = (): { body: ProfileInput; errs: Local } => {
    const errs: Local = {};
    if (!d.name.trim()) errs.name = t('nameMissing');
    const categories: { first: number; second: number }[] = [];
    lines(d.categories).forEach((l, i) => {
      const m = /^(\d{1,9})\s*[/,\s]\s*(\d{1,9})$/.exec(l);
      if (!m) errs.categories ??= t('categoryInvalid', { line: i + 1 });
      else categories.push({ first: Number(m[1]), second: Number(m[2]) });
    });
    const settingList: { privacy_key: string; privacy_text: string }[] = [];
    lines(d.settingList).forEach((l, i) => {
      const m = /^([^:：]+)[:：]\s*(.+)$/.exec(l);
      if (!m) errs.setting_list ??= t('settingInvalid', { line: i + 1 });
      else
        settingList.push({ privacy_key: (m[1] ?? '').trim(), privacy_text: (m[2] ?? '').trim() });
    });
    const interfaces: InterfaceSpec[] = [];
    lines(d.interfaces).forEach((l, i) => {
      const parsed = parseInterface(l);
      if (!parsed) errs.interfaces ??= t('interfaceInvalid', { line: i + 1 });
      else interfaces.push(parsed);
    });
    if (d.signature.length > 120) errs.signature = t('signatureTooLong');
    const server: Partial<Record<ServerKind, string[]>> = {};
    for (const k of SERVER_KINDS) {
      const l = lines(d.server[k]);
      if (l.length) server[k] = l;
    }
    const owner: Record<string, string> = {};
    for (const k of OWNER_KEYS) if (d.owner[k].trim()) owner[k] = d.owner[k].trim();
    // Keep owner_setting keys this form does not edit (store_expire_timestamp, ...).
    const kept = editing?.privacy?.owner_setting ?? {};
    for (const [k, v] of Object.entries(kept)) {
      if (!(OWNER_KEYS as readonly string[]).includes(k)) owner[k] = v;
    }
    const hasPrivacy = Object.keys(owner).length > 0 || settingList.length > 0;
    const webview = lines(d.webview);
    const body: ProfileInput = {
      name: d.name.trim(),
      server_domains: Object.keys(server).length ? server : null,
      webview_domains: webview.length ? webview : null,
      categories: categories.length ? categories : null,
      privacy: hasPrivacy ? { owner_setting: owner, setting_list: settingList } : null,
      privacy_interfaces: interfaces.length ? interfaces : null,
      basic_info: d.signature.trim() ? { signature: d.signature.trim() } : null,
    };
    return { body, errs };
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const { body, errs } = build();
    setLocal(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const saved = editing
        ? await api<Profile>('PATCH', `/api/admin/profiles/${encodeURIComponent(editing.id)}`, {
            body,
          })
        : await api<Profile>('POST', '/api/admin/profiles', { body });
      props.onSaved(saved);
      if (!editing) setD(draftOf(undefined));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const area = (
    key: string,
    value: string,
    onChange: (v: string) => void,
    rows = 2,
    invalid?: boolean,
  ) => (
    <textarea
      id={id(key)}
      className="code"
      rows={rows}
      value={value}
      aria-invalid={invalid ? true : undefined}
      onChange={(e) => onChange(e.target.value)}
    />
  );
  const fieldIsIn = (prefix: string) =>
    error instanceof ApiError && error.field !== undefined && error.field.startsWith(prefix);

  return (
    <form onSubmit={submit} noValidate data-testid="profile-form">
      <label htmlFor={id('name')}>{t('name')}</label>
      <input
        id={id('name')}
        value={d.name}
        maxLength={100}
        aria-invalid={local.name ? true : undefined}
        onChange={(e) => setD({ ...d, name: e.target.value })}
      />
      <FieldError field="name" local={local.name} error={error} />

      <fieldset>
        <legend>{t('serverDomains')}</legend>
        <p className="help">{t('serverHelp')}</p>
        {SERVER_KINDS.map((k) => (
          <div key={k}>
            <label htmlFor={id(`server-${k}`)}>{t(`kind_${k}`)}</label>
            {area(
              `server-${k}`,
              d.server[k],
              (v) => setD({ ...d, server: { ...d.server, [k]: v } }),
              2,
              fieldIsIn(`server_domains.${k}`),
            )}
            <PartError prefix={`server_domains.${k}`} error={error} id={id(`server-${k}`)} />
          </div>
        ))}
        <PartError prefix="server_domains" error={error} id={id('server')} exact />
      </fieldset>

      <label htmlFor={id('webview')}>{t('webview')}</label>
      {area(
        'webview',
        d.webview,
        (v) => setD({ ...d, webview: v }),
        2,
        fieldIsIn('webview_domains'),
      )}
      <p className="help">{t('webviewHelp')}</p>
      <PartError prefix="webview_domains" error={error} id={id('webview')} />

      <label htmlFor={id('categories')}>{t('categories')}</label>
      {area(
        'categories',
        d.categories,
        (v) => setD({ ...d, categories: v }),
        2,
        !!local.categories,
      )}
      <p className="help">{t('categoriesHelp')}</p>
      <FieldError field="categories-local" local={local.categories} />
      <PartError prefix="categories" error={error} id={id('categories')} />

      <fieldset>
        <legend>{t('privacy')}</legend>
        <p className="help">{t('privacyHelp')}</p>
        <div className="adm-filters">
          {OWNER_KEYS.map((k) => (
            <div key={k}>
              <label htmlFor={id(k)}>{t(k)}</label>
              <input
                id={id(k)}
                value={d.owner[k]}
                maxLength={500}
                onChange={(e) => setD({ ...d, owner: { ...d.owner, [k]: e.target.value } })}
              />
              {k === 'notice_method' ? (
                <PartError
                  prefix="privacy.owner_setting.notice_method"
                  error={error}
                  id={id('notice')}
                />
              ) : null}
            </div>
          ))}
        </div>
        <PartError prefix="privacy.owner_setting" error={error} id={id('owner')} exact />
        <PartError prefix="privacy" error={error} id={id('privacy')} exact />
        <label htmlFor={id('setting-list')}>{t('settingList')}</label>
        {area(
          'setting-list',
          d.settingList,
          (v) => setD({ ...d, settingList: v }),
          3,
          !!local.setting_list,
        )}
        <p className="help">{t('settingListHelp')}</p>
        <FieldError field="setting_list-local" local={local.setting_list} />
        <PartError prefix="privacy.setting_list" error={error} id={id('setting-list')} />
        <label htmlFor={id('interfaces')}>{t('interfaces')}</label>
        {area(
          'interfaces',
          d.interfaces,
          (v) => setD({ ...d, interfaces: v }),
          3,
          !!local.interfaces,
        )}
        <p className="help">{t('interfacesHelp')}</p>
        <FieldError field="interfaces-local" local={local.interfaces} />
        <PartError prefix="privacy_interfaces" error={error} id={id('interfaces')} />
      </fieldset>

      <label htmlFor={id('signature')}>{t('signature')}</label>
      <input
        id={id('signature')}
        value={d.signature}
        aria-invalid={local.signature ? true : undefined}
        onChange={(e) => setD({ ...d, signature: e.target.value })}
      />
      <FieldError field="signature-local" local={local.signature} />
      <PartError prefix="basic_info" error={error} id={id('signature')} />

      <ProfileFormError error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? t('saving') : editing ? t('save') : t('create')}
      </button>
    </form>
  );
}

/** An API error that names no part of the form shown above. */
function ProfileFormError(props: { error: unknown }) {
  const e = props.error;
  const known = [
    'name',
    'server_domains',
    'webview_domains',
    'categories',
    'privacy',
    'privacy_interfaces',
    'basic_info',
  ];
  if (e instanceof ApiError && e.field !== undefined && known.some((k) => e.field?.startsWith(k)))
    return null;
  return <FormError error={e} fields={[]} />;
}
