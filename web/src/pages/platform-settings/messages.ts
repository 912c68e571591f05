import { defineMessages } from '../../i18n.ts';

export const messages = defineMessages({
  zh: {
    title: '平台设置',
    intro:
      '在微信开放平台 → 第三方平台 → 开发配置中填写以下各项。这些值来自 openwx 的配置（OPENWX_PUBLIC_URL 等）。',
    componentAppid: '第三方平台 AppID',
    authDomain: '授权发起页域名',
    authEventUrl: '授权事件接收URL',
    messageUrl: '消息与事件接收URL',
    token: '消息校验Token',
    aesKey: '消息加解密Key',
    serverDomains: '小程序服务器域名',
    webviewDomains: '小程序业务域名',
    ticketSeen: '已收到 component_verify_ticket：微信能访问授权事件接收URL。',
    ticketNotSeen:
      '尚未收到 component_verify_ticket：填写并保存上面的“授权事件接收URL”后，微信每 10 分钟推送一次。',
    lastTicket: '最近一次',
    revealNote: '显示密钥会记录在服务器日志中。',
  },
  en: {
    title: 'Platform settings',
    intro:
      "Enter these values in the WeChat Open Platform console → third-party platform → development settings. They come from openwx's configuration (OPENWX_PUBLIC_URL and others).",
    componentAppid: 'Platform AppID',
    authDomain: 'Authorization start-page domain',
    authEventUrl: 'Authorization event URL',
    messageUrl: 'Message and event URL',
    token: 'Message token',
    aesKey: 'Message encryption key',
    serverDomains: 'Mini program server domains',
    webviewDomains: 'Mini program business domains',
    ticketSeen: 'A component_verify_ticket arrived: WeChat reaches the authorization event URL.',
    ticketNotSeen:
      'No component_verify_ticket yet: once the authorization event URL above is saved, WeChat pushes one every 10 minutes.',
    lastTicket: 'Last one',
    revealNote: 'Revealing the key is logged on the server.',
  },
});
