import { defineMessages } from '../../i18n.ts';

export const messages = defineMessages({
  zh: {
    title: '登录 openwx 控制台',
    tokenLabel: '管理员令牌',
    tokenHelp:
      '即 OPENWX_ADMIN_TOKEN；沙箱模式下见启动日志或 data/sandbox.json。只保存在本标签页中。',
    submit: '登录',
    checking: '验证中…',
    tokenMissing: '请输入管理员令牌',
    tokenWrong: '令牌不正确：请检查 OPENWX_ADMIN_TOKEN',
    expired: '管理员令牌已失效或无效，请重新登录',
    signedOut: '已退出。',
  },
  en: {
    title: 'Sign in to the openwx console',
    tokenLabel: 'Admin token',
    tokenHelp:
      'OPENWX_ADMIN_TOKEN; in sandbox mode it is in the start-up lines or data/sandbox.json. Kept in this tab only.',
    submit: 'Sign in',
    checking: 'Checking…',
    tokenMissing: 'Enter the admin token',
    tokenWrong: 'Wrong token: check OPENWX_ADMIN_TOKEN',
    expired: 'admin token expired or invalid, sign in again',
    signedOut: 'Signed out.',
  },
});
