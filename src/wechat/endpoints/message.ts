import { z } from 'zod';
import { defineEndpoints } from '../endpoint.ts';

/**
 * Messages an authorizer sends on its own (customer-service messages), used by the full-network
 * release check and by tenants through the proxy. Reference: ../shared/wechat/01 §7.2.
 */
const ok = z.looseObject({ errcode: z.number().optional(), errmsg: z.string().optional() });

export const messageEndpoints = defineEndpoints({
  message_custom_send: {
    name: 'message_custom_send',
    method: 'POST',
    effect: 'write',
    path: '/cgi-bin/message/custom/send',
    token: 'authorizer',
    tokenParam: 'access_token',
    request: z.looseObject({
      touser: z.string().min(1),
      msgtype: z.string().min(1),
      text: z.looseObject({ content: z.string() }).optional(),
    }),
    response: ok,
    errcodes: [40003, 40008, 44004, 45015, 45047, 48001, 61007],
    doc: 'https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html',
    summary: 'Send a customer-service message to a user (within 48 h of the user’s last message)',
  },
});
