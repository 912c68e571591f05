import { AppError } from '../../core/errors.ts';

/**
 * Checks of registration input before WeChat is called, and how results read.
 * Reference: ../shared/wechat/02 §0, §1.1–1.3.
 */
export interface EnterpriseInput {
  name: string;
  code: string;
  code_type: 1 | 2 | 3;
  legal_persona_wechat: string;
  legal_persona_name: string;
  component_phone: string;
}

/** The new-version enterprise flow: the legal person verifies through a link. */
export interface EnterpriseUrlInput {
  name: string;
  code: string;
  component_phone: string;
}

/**
 * Converting a trial mini program, the version WeChat serves since 2026-04-30: the legal person
 * verifies through a URL, so only the company and the platform's phone are sent (the notice's
 * 试用小程序快速转正 table; ../shared/wechat/02 §0).
 */
export interface VerifyInput {
  enterprise_name: string;
  code: string;
  component_phone: string;
}

const CODE_RULES: Readonly<Record<number, { re: RegExp; text: string }>> = {
  1: { re: /^[0-9A-Z]{18}$/, text: 'a unified social credit code is 18 digits or capital letters' },
  2: {
    re: /^[0-9A-Z]{8}-?[0-9A-Z]$/,
    text: 'an organization code is 9 digits or capital letters (xxxxxxxx-x)',
  },
  3: { re: /^\d{15}$/, text: 'a business licence registration number is 15 digits' },
};
const PHONE = /^\d{5,20}$/;
const WECHAT_ID = /^[a-zA-Z][-_a-zA-Z0-9]{5,19}$/;

/** A refused field, and the reason with the values its sentence needs. */
function bad(
  field: string,
  message: string,
  { reason, ...params }: { reason: string; [k: string]: unknown },
): never {
  throw new AppError('bad_request', message, {
    details: { field, params: { reason, field, ...params } },
  });
}

/** A field the kind needs; absent or not a string is named. */
export function need(input: Record<string, unknown>, field: string): void {
  if (input[field] === undefined || input[field] === null) {
    bad(field, `${field} is required`, { reason: 'required' });
  }
}

function checkName(value: string, field: string, max: number): void {
  const n = [...value.trim()].length;
  if (n < 1 || n > max) {
    bad(field, `${field} must be 1 to ${max} characters`, { reason: 'length_range', min: 1, max });
  }
}

function checkCode(code: string, codeType: number, field: string): void {
  const rule = CODE_RULES[codeType];
  if (!rule) bad('code_type', 'code_type must be 1, 2 or 3', { reason: 'code_type_invalid' });
  if (!rule.re.test(code)) {
    bad(field, `${field} does not match code_type ${codeType}: ${rule.text}`, {
      reason: 'code_mismatch',
      code_type: codeType,
    });
  }
}

/** The new versions take only an 18-character unified social credit code. */
function checkUscc(code: string): void {
  if (!CODE_RULES[1]!.re.test(code)) {
    bad('code', `code must be a unified social credit code: ${CODE_RULES[1]!.text}`, {
      reason: 'uscc_invalid',
    });
  }
}

function checkPhone(phone: string): void {
  if (!PHONE.test(phone)) {
    bad('component_phone', 'component_phone must be 5 to 20 digits', {
      reason: 'phone_invalid',
    });
  }
}

export function checkWechatId(id: string, field: string): void {
  if (!WECHAT_ID.test(id)) {
    bad(
      field,
      `${field} must be a WeChat ID: 6 to 20 letters, digits, - or _, starting with a letter`,
      { reason: 'wechat_id_invalid' },
    );
  }
}

export function checkEnterprise(input: EnterpriseInput): void {
  for (const f of [
    'name',
    'code',
    'code_type',
    'legal_persona_wechat',
    'legal_persona_name',
    'component_phone',
  ])
    need(input as unknown as Record<string, unknown>, f);
  checkName(input.name, 'name', 100);
  checkCode(input.code, input.code_type, 'code');
  checkWechatId(input.legal_persona_wechat, 'legal_persona_wechat');
  checkName(input.legal_persona_name, 'legal_persona_name', 50);
  checkPhone(input.component_phone);
}

const LEGACY_ONLY = ['code_type', 'legal_persona_wechat', 'legal_persona_name'] as const;

export function checkEnterpriseUrl(input: EnterpriseUrlInput): void {
  const raw = input as unknown as Record<string, unknown>;
  for (const f of ['name', 'code', 'component_phone']) need(raw, f);
  for (const f of LEGACY_ONLY) {
    if (raw[f] !== undefined) {
      bad(f, `${f} is not used by the url flow (send flow "legacy" for it)`, {
        reason: 'legacy_flow_field',
      });
    }
  }
  checkName(input.name, 'name', 100);
  checkUscc(input.code);
  checkPhone(input.component_phone);
}

export function checkPersonal(input: {
  idname: string;
  wxuser: string;
  component_phone: string;
}): void {
  checkName(input.idname, 'idname', 50);
  checkWechatId(input.wxuser, 'wxuser');
  checkPhone(input.component_phone);
}

export function checkBetaName(name: string, field: string): void {
  const n = [...name.trim()].length;
  if (n < 4 || n > 30) {
    bad(field, `${field} must be 4 to 30 characters`, { reason: 'length_range', min: 4, max: 30 });
  }
}

/** Fields of the conversion version WeChat retired on 2026-04-30. */
const RETIRED_VERIFY_FIELDS = [
  'code_type',
  'legal_persona_wechat',
  'legal_persona_name',
  'legal_persona_idcard',
] as const;

export function checkVerify(input: VerifyInput): void {
  const raw = input as unknown as Record<string, unknown>;
  for (const f of RETIRED_VERIFY_FIELDS) {
    if (raw[f] !== undefined) {
      bad(
        f,
        `${f} is not used: WeChat retired that conversion version on 2026-04-30 (send enterprise_name, code and component_phone; the legal person verifies through verify_url)`,
        { reason: 'retired_field' },
      );
    }
  }
  checkName(input.enterprise_name, 'enterprise_name', 100);
  checkUscc(input.code);
  checkPhone(input.component_phone);
}

/** The URL flow's push has no legal_persona_wechat, so its key leaves it empty. */
export const enterpriseKey = (name: string, code: string, wechat: string) =>
  `enterprise|${name}|${code}|${wechat}`;
export const personalKey = (wxuser: string, idname: string) => `personal|${wxuser}|${idname}`;

const STATUS_MEANING: Readonly<Record<string, string>> = {
  '-1': 'company and legal person name do not match',
  '100001': 'not confirmed within 24 h (ID-card check never done)',
  '100002': 'not confirmed within 24 h (face check never done)',
  '100003': 'not confirmed within 24 h',
  '101': 'the company is deregistered',
  '102': 'the company is not found in the registry',
  '103': 'the legal representative’s name does not match the registry',
  '104': 'the legal representative’s ID number does not match the registry',
  '105':
    'the legal representative’s ID is not yet updated in the registry; retry in 5–15 working days',
  '1000': 'company or legal representative information is inconsistent',
  '1001': 'the subject reached its mini program creation limit',
  '1002': 'the subject is blacklisted',
  '1003': 'the administrator reached the bound-account limit',
  '1004': 'the administrator is blacklisted',
  '1005': 'the administrator’s phone reached the bound-account limit',
  '1006': 'the administrator’s phone is blacklisted',
  '1007': 'the administrator’s ID card reached the account-creation limit',
  '1008': 'the administrator’s ID card is blacklisted',
};

/** A failed result in plain words: WeChat's status, its meaning and WeChat's message. */
export function resultReason(status: string, msg: string): string {
  const meaning = STATUS_MEANING[status];
  return [`status ${status}`, meaning, msg].filter(Boolean).join(': ');
}

/** A registration's progress or failure as a stable code and its params, for the console. */
export interface RegistrationReason {
  code: string;
  params: Record<string, string>;
}

/**
 * The code and params of a stored progress sentence (last_message, verify_message,
 * failure_reason), read back from the sentences this service writes, so that rows written before
 * codes existed have them too. A failure is `failed_status` with WeChat's status (its meaning
 * words it); a sentence not written here is `other`.
 */
export function registrationReasonOf(text: string | null): RegistrationReason | null {
  if (text === null) return null;
  const fixed: Record<string, string> = {
    'WeChat created the task; the legal person opens authorize_url in WeChat within 24 h':
      'task_created_legal_person',
    'WeChat created the task; the person opens authorize_url in WeChat within 24 h':
      'task_created_person',
    'WeChat sent the legal person a template message': 'template_message_sent',
    'WeChat created the trial task; the administrator must confirm': 'beta_task_created',
    'WeChat created the conversion task; the legal person opens verify_url in WeChat within 24 h':
      'conversion_task_created',
    'the trial mini program was converted': 'beta_converted',
    'openwx is sending the request to WeChat': 'sending',
  };
  const code = fixed[text];
  if (code) return { code, params: {} };
  if (text.startsWith('WeChat did not answer;')) return { code: 'outcome_unknown', params: {} };
  const status = /^status (-?\d+)(?:: |$)/.exec(text);
  if (status) return { code: 'failed_status', params: { status: status[1] ?? '' } };
  const named = /^name set to (.*)$/s.exec(text);
  if (named) return { code: 'name_set', params: { name: named[1] ?? '' } };
  const created = /^mini program (\S*) created$/.exec(text);
  if (created) return { code: 'created', params: { appid: created[1] ?? '' } };
  return { code: 'other', params: {} };
}
