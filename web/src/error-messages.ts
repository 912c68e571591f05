import { defineMessages } from './i18n.ts';

/**
 * Reasons the API returns, by their stable `code` (and `params.reason` where one code has
 * several), in the operator's language. `{name}` takes the error's params. A code not listed here
 * shows the server's English message.
 */
export const errorMessages = defineMessages({
  zh: {
    forbidden_role: '当前角色（{role}）无权执行此操作，需要 {required} 角色',
    sign_in_failed: '用户名或密码不正确',
    sign_in_throttled: '登录失败次数过多，请 {retryAfterSeconds} 秒后再试',
    totp_required: '请输入身份验证器中的动态码',
    totp_invalid: '动态码不正确或已使用过',
    password_rejected: '密码不符合要求',
    password_rejected_too_short: '密码至少 {min} 个字符',
    password_rejected_too_long: '密码最多 {max} 个字符',
    password_rejected_same_as_username: '密码不能与用户名相同',
    password_rejected_current_wrong: '当前密码不正确',
    username_invalid: '用户名为 2–64 个字符：字母、数字、“.”、“_”或“-”，以字母或数字开头',
    username_taken: '用户名 {username} 已被使用',
    sandbox_only: '只能在沙箱模式下重置：在正式模式（{mode}）下这会删除真实平台的数据',
  },
  en: {
    forbidden_role: 'your role ({role}) may not do this; it needs the {required} role',
    sign_in_failed: 'the username or the password is not right',
    sign_in_throttled: 'too many failed sign-ins; try again in {retryAfterSeconds} s',
    totp_required: 'enter the code from your authenticator app',
    totp_invalid: 'the code is not right or was used already',
    password_rejected: 'the password does not meet the rules',
    password_rejected_too_short: 'a password has at least {min} characters',
    password_rejected_too_long: 'a password has at most {max} characters',
    password_rejected_same_as_username: 'the password may not be the username',
    password_rejected_current_wrong: 'the current password is not right',
    username_invalid:
      'a username is 2–64 characters: letters, digits, ".", "_" or "-", starting with a letter or digit',
    username_taken: 'the username {username} is taken',
    sandbox_only:
      'a reset is for the sandbox only: in {mode} mode it would delete the data of a real platform',
  },
});
