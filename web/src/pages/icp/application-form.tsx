import { useState, type FormEvent, type ReactNode } from 'react';
import { api, post } from '../../api.ts';
import { FieldError } from '../../components/field-error.tsx';
import { Loaded } from '../../components/states.tsx';
import { useT } from '../../i18n.ts';
import { useApi } from '../../use-api.ts';
import { formMessages } from './form-messages.ts';

/**
 * The filing application as a form: subject, person in charge and mini program, with every code
 * chosen from WeChat's own lists (GET …/icp/dictionaries: query_icp_subject_types,
 * query_icp_district_code, query_icp_certificate_types, query_icp_nrlx_types,
 * query_icp_service_content_types). It builds apply_icp_filing's body; the person in charge of
 * the subject is also the mini program's, with the administrator's face verification task.
 * A refusal naming a field (icp_subject.base_info.district, …) shows under that field.
 */
interface Coded {
  type: number;
  name: string;
  remark?: string;
}
interface District {
  code: number;
  name: string;
  sub_list?: District[];
}
interface Dictionaries {
  subject_types: Coded[];
  districts: District[];
  certificate_types: Array<Coded & { subject_type: number }>;
  nrlx_types: Coded[];
  service_content_types: Array<Coded & { parent_type: number }>;
}

export interface FilingForForm {
  verify_task_id: string | null;
  media: Array<{ media_id: string; type: string; icp_order_field: string }>;
}

const SERVICES_MAX = 5;

const PERSON_FIELDS = [
  'name',
  'mobile',
  'email',
  'emergency_contact',
  'certificate_type',
  'certificate_number',
  'certificate_validity_date_start',
  'certificate_validity_date_end',
  'certificate_photo_front',
  'certificate_photo_back',
] as const;
type Person = Record<(typeof PERSON_FIELDS)[number], string>;

const emptyPerson = (): Person => Object.fromEntries(PERSON_FIELDS.map((k) => [k, ''])) as Person;

/** The photo an upload was meant for, else any image. */
function photoFor(f: FilingForForm, field: 'certificate_photo_front' | 'certificate_photo_back') {
  const images = f.media.filter((m) => m.type === 'image');
  return (images.find((m) => m.icp_order_field.endsWith(`principal_info.${field}`)) ?? images[0])
    ?.media_id;
}

export function ApplicationForm(props: {
  base: string;
  f: FilingForForm;
  run: (action: () => Promise<unknown>) => Promise<void>;
  error?: unknown;
  /** Why the state allows no application now (under review, filed), in the operator's words. */
  blocked?: string | undefined;
  /** The JSON editor, for what the form does not cover. */
  advanced: ReactNode;
}) {
  const t = useT(formMessages);
  const dict = useApi(() => api<Dictionaries>('GET', `${props.base}/dictionaries`), [props.base]);
  return (
    <section className="card" data-testid="icp-application-form">
      <h2>{t('guided')}</h2>
      <p className="help">{t('guidedHelp')}</p>
      <Loaded state={dict}>{(d) => <GuidedForm {...props} dict={d} />}</Loaded>
      <details>
        <summary>{t('advanced')}</summary>
        {props.advanced}
      </details>
    </section>
  );
}

function GuidedForm(props: {
  base: string;
  f: FilingForForm;
  run: (action: () => Promise<unknown>) => Promise<void>;
  error?: unknown;
  blocked?: string | undefined;
  dict: Dictionaries;
}) {
  const t = useT(formMessages);
  const { dict, f } = props;
  const [subjectType, setSubjectType] = useState(String(dict.subject_types[0]?.type ?? ''));
  const [subjectName, setSubjectName] = useState('');
  const [province, setProvince] = useState('');
  const [city, setCity] = useState('');
  const [district, setDistrict] = useState('');
  const [address, setAddress] = useState('');
  const [organizeType, setOrganizeType] = useState('');
  const [organizeNumber, setOrganizeNumber] = useState('');
  const [organizeAddress, setOrganizeAddress] = useState('');
  const [person, setPerson] = useState<Person>(emptyPerson);
  const [services, setServices] = useState<number[]>([]);
  // The pre-approval type "以上都不涉及" (none applies) is the usual answer.
  const [nrlx, setNrlx] = useState(
    String(dict.nrlx_types.find((n) => n.name.includes('不涉及'))?.type ?? ''),
  );
  const [comment, setComment] = useState('');

  const certificates = dict.certificate_types.filter((c) => c.subject_type === Number(subjectType));
  const cities = dict.districts.find((p) => String(p.code) === province)?.sub_list ?? [];
  const districts = cities.find((c) => String(c.code) === city)?.sub_list ?? [];
  const front = person.certificate_photo_front || photoFor(f, 'certificate_photo_front') || '';
  const back = person.certificate_photo_back || photoFor(f, 'certificate_photo_back') || '';
  const images = f.media.filter((m) => m.type === 'image');

  const field = (name: string) => <FieldError field={name} error={props.error} />;
  /** The person is the subject's and the mini program's: a refusal of either shows here. */
  const personField = (k: keyof Person) => (
    <>
      {field(`icp_subject.principal_info.${k}`)}
      {field(`icp_applets.principal_info.${k}`)}
    </>
  );
  const setPersonField = (k: keyof Person, v: string) => setPerson((p) => ({ ...p, [k]: v }));

  function submit(e: FormEvent) {
    e.preventDefault();
    const principal = {
      ...person,
      certificate_type: Number(person.certificate_type),
      certificate_photo_front: front,
      certificate_photo_back: back,
    };
    const body = {
      icp_subject: {
        base_info: {
          type: Number(subjectType),
          name: subjectName,
          province,
          city,
          district,
          address,
        },
        organize_info: {
          certificate_type: Number(organizeType),
          certificate_number: organizeNumber,
          certificate_address: organizeAddress,
        },
        principal_info: principal,
      },
      icp_applets: {
        base_info: {
          service_content_types: services,
          nrlx_details: [{ type: Number(nrlx) }],
          comment,
        },
        principal_info: { ...principal, verify_task_id: f.verify_task_id ?? '' },
      },
      icp_materials: {},
    };
    void props.run(() => post(`${props.base}/application`, body));
  }

  const select = (
    id: string,
    value: string,
    onChange: (v: string) => void,
    options: Array<{ value: string | number; label: string }>,
  ) => (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{t('choose')}</option>
      {options.map((o) => (
        <option key={o.value} value={String(o.value)}>
          {o.label}
        </option>
      ))}
    </select>
  );
  const text = (id: string, value: string, onChange: (v: string) => void, extra = {}) => (
    <input id={id} value={value} onChange={(e) => onChange(e.target.value)} {...extra} />
  );
  const person_ = (prefix: string) => (
    <>
      <label htmlFor={`${prefix}-name`}>{t('personName')}</label>
      {text(`${prefix}-name`, person.name, (v) => setPersonField('name', v))}
      {personField('name')}
      <label htmlFor={`${prefix}-mobile`}>{t('mobile')}</label>
      {text(`${prefix}-mobile`, person.mobile, (v) => setPersonField('mobile', v), {
        inputMode: 'tel',
      })}
      {personField('mobile')}
      <label htmlFor={`${prefix}-email`}>{t('email')}</label>
      {text(`${prefix}-email`, person.email, (v) => setPersonField('email', v), {
        type: 'email',
      })}
      {personField('email')}
      <label htmlFor={`${prefix}-emergency`}>{t('emergency')}</label>
      {text(
        `${prefix}-emergency`,
        person.emergency_contact,
        (v) => setPersonField('emergency_contact', v),
        { inputMode: 'tel' },
      )}
      {personField('emergency_contact')}
      <label htmlFor={`${prefix}-certificate-type`}>{t('certificateType')}</label>
      {select(
        `${prefix}-certificate-type`,
        person.certificate_type,
        (v) => setPersonField('certificate_type', v),
        dict.certificate_types
          .filter((c) => c.subject_type === 5)
          .map((c) => ({ value: c.type, label: c.name })),
      )}
      {personField('certificate_type')}
      <label htmlFor={`${prefix}-certificate-number`}>{t('certificateNumber')}</label>
      {text(`${prefix}-certificate-number`, person.certificate_number, (v) =>
        setPersonField('certificate_number', v),
      )}
      {personField('certificate_number')}
      <label htmlFor={`${prefix}-valid-from`}>{t('validFrom')}</label>
      {text(
        `${prefix}-valid-from`,
        person.certificate_validity_date_start,
        (v) => setPersonField('certificate_validity_date_start', v),
        { inputMode: 'numeric' },
      )}
      <label htmlFor={`${prefix}-valid-to`}>{t('validTo')}</label>
      {text(`${prefix}-valid-to`, person.certificate_validity_date_end, (v) =>
        setPersonField('certificate_validity_date_end', v),
      )}
      {personField('certificate_validity_date_end')}
      <label htmlFor={`${prefix}-photo-front`}>{t('photoFront')}</label>
      {select(
        `${prefix}-photo-front`,
        front,
        (v) => setPersonField('certificate_photo_front', v),
        images.map((m) => ({ value: m.media_id, label: `${m.icp_order_field} · ${m.media_id}` })),
      )}
      {personField('certificate_photo_front')}
      <label htmlFor={`${prefix}-photo-back`}>{t('photoBack')}</label>
      {select(
        `${prefix}-photo-back`,
        back,
        (v) => setPersonField('certificate_photo_back', v),
        images.map((m) => ({ value: m.media_id, label: `${m.icp_order_field} · ${m.media_id}` })),
      )}
      {personField('certificate_photo_back')}
    </>
  );

  return (
    <form onSubmit={submit} noValidate>
      <fieldset>
        <legend>{t('subject')}</legend>
        <label htmlFor="icp-subject-type">{t('subjectType')}</label>
        {select(
          'icp-subject-type',
          subjectType,
          (v) => {
            setSubjectType(v);
            setOrganizeType('');
          },
          dict.subject_types.map((s) => ({ value: s.type, label: s.name })),
        )}
        {field('icp_subject.base_info.type')}
        <label htmlFor="icp-subject-name">{t('subjectName')}</label>
        {text('icp-subject-name', subjectName, setSubjectName)}
        {field('icp_subject.base_info.name')}
        <label htmlFor="icp-province">{t('province')}</label>
        {select(
          'icp-province',
          province,
          (v) => {
            setProvince(v);
            setCity('');
            setDistrict('');
          },
          dict.districts.map((d) => ({ value: d.code, label: d.name })),
        )}
        {field('icp_subject.base_info.province')}
        <label htmlFor="icp-city">{t('city')}</label>
        {select(
          'icp-city',
          city,
          (v) => {
            setCity(v);
            setDistrict('');
          },
          cities.map((d) => ({ value: d.code, label: d.name })),
        )}
        {field('icp_subject.base_info.city')}
        <label htmlFor="icp-district">{t('district')}</label>
        {select(
          'icp-district',
          district,
          setDistrict,
          districts.map((d) => ({ value: d.code, label: d.name })),
        )}
        {field('icp_subject.base_info.district')}
        <label htmlFor="icp-address">{t('address')}</label>
        {text('icp-address', address, setAddress)}
        {field('icp_subject.base_info.address')}
      </fieldset>
      <fieldset>
        <legend>{t('organize')}</legend>
        <label htmlFor="icp-organize-type">{t('certificateType')}</label>
        {select(
          'icp-organize-type',
          organizeType,
          setOrganizeType,
          certificates.map((c) => ({ value: c.type, label: c.name })),
        )}
        {field('icp_subject.organize_info.certificate_type')}
        <label htmlFor="icp-organize-number">{t('certificateNumber')}</label>
        {text('icp-organize-number', organizeNumber, setOrganizeNumber)}
        {field('icp_subject.organize_info.certificate_number')}
        <label htmlFor="icp-organize-address">{t('certificateAddress')}</label>
        {text('icp-organize-address', organizeAddress, setOrganizeAddress)}
        {field('icp_subject.organize_info.certificate_address')}
      </fieldset>
      <fieldset>
        <legend>{t('principal')}</legend>
        {person_('icp-person')}
      </fieldset>
      <fieldset>
        <legend>{t('applet')}</legend>
        <p>{t('services')}</p>
        <div className="choices" data-testid="icp-services">
          {dict.service_content_types
            .filter((s) => s.parent_type !== 0)
            .map((s) => {
              const checked = services.includes(s.type);
              return (
                <label key={s.type} className="choice">
                  <input
                    type="checkbox"
                    value={s.type}
                    checked={checked}
                    disabled={!checked && services.length >= SERVICES_MAX}
                    onChange={() =>
                      setServices((l) => (checked ? l.filter((x) => x !== s.type) : [...l, s.type]))
                    }
                  />{' '}
                  {s.name}
                </label>
              );
            })}
        </div>
        {field('icp_applets.base_info.service_content_types')}
        <label htmlFor="icp-nrlx">{t('nrlx')}</label>
        {select(
          'icp-nrlx',
          nrlx,
          setNrlx,
          dict.nrlx_types.map((n) => ({ value: n.type, label: n.name })),
        )}
        {field('icp_applets.base_info.nrlx_details')}
        <label htmlFor="icp-comment">{t('comment')}</label>
        <textarea
          id="icp-comment"
          rows={3}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
        />
        {field('icp_applets.base_info.comment')}
      </fieldset>
      {props.blocked ? (
        <p className="notice">{props.blocked}</p>
      ) : f.verify_task_id ? null : (
        <p className="notice">{t('taskMissing')}</p>
      )}
      {field('icp_applets.principal_info.verify_task_id')}
      <button
        type="submit"
        disabled={!f.verify_task_id || props.blocked !== undefined}
        title={props.blocked ?? (f.verify_task_id ? undefined : t('taskMissing'))}
      >
        {t('submit')}
      </button>
    </form>
  );
}
