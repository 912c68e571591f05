/** GET/POST /api/admin/registrations (src/http/routes/registrations.ts; the service answers untyped). */
export type RegistrationKind = 'enterprise' | 'personal' | 'beta';
export type RegistrationStatus =
  'pending' | 'awaiting_legal_person' | 'awaiting_user' | 'succeeded' | 'failed';
export interface Registration {
  id: string;
  kind: RegistrationKind;
  tenant_id: string | null;
  status: RegistrationStatus;
  request: Record<string, unknown>;
  appid: string | null;
  authorize_url: string | null;
  last_message: string;
  failure_reason: string | null;
  verify_status: string | null;
  verify_message: string | null;
  /** Trial conversion: the URL the legal person opens in WeChat within 24 h. */
  verify_url: string | null;
  next_step: string;
  /** last_message, failure_reason and verify_message as stable codes and params. */
  last_message_code: string | null;
  last_message_params: Record<string, string> | null;
  failure_code: string | null;
  failure_params: Record<string, string> | null;
  verify_code: string | null;
  verify_params: Record<string, string> | null;
  stale: boolean;
  created_at: string;
  updated_at: string;
}
