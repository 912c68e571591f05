import {
  APPID,
  DOC_EVENTS,
  DOC_KF,
  DOC_MASS,
  DOC_MENU,
  DOC_MESSAGES,
  DOC_MP_KF,
  DOC_SUBSCRIBE_MSG,
  DOC_TEMPLATE,
  event,
  message,
  obj,
  type PayloadType,
} from './payload-kit.ts';

/** The bodies of user messages and account events pushed to an authorizer's message URL. */
const scanCodeInfo = obj(['ScanType', 'ScanResult']);
const sendPicsInfo = obj(['Count'], [], { PicList: { type: 'object' } });
const sendLocationInfo = obj(['Location_X', 'Location_Y', 'Scale', 'Label'], ['Poiname']);
const subscribeList = { type: ['object', 'array'] };

export const MESSAGE_PAYLOADS: PayloadType[] = [
  message(
    'text',
    'A text message',
    DOC_MESSAGES,
    { required: ['Content', 'MsgId'], optional: ['bizmsgmenuid'] },
    {
      MsgType: 'text',
      Content: 'hello',
      MsgId: '23991276453820000',
    },
  ),
  message(
    'image',
    'An image',
    DOC_MESSAGES,
    { required: ['PicUrl', 'MediaId', 'MsgId'] },
    {
      MsgType: 'image',
      PicUrl: 'https://mmbiz.example.com/pic.jpg',
      MediaId: 'MEDIA_ID_0001',
      MsgId: '23991276453820001',
    },
  ),
  message(
    'voice',
    'A voice message',
    DOC_MESSAGES,
    { required: ['MediaId', 'Format', 'MsgId'], optional: ['Recognition', 'MediaId16K'] },
    {
      MsgType: 'voice',
      MediaId: 'MEDIA_ID_0002',
      Format: 'amr',
      MsgId: '23991276453820002',
    },
  ),
  ...(['video', 'shortvideo'] as const).map((t) =>
    message(
      t,
      t === 'video' ? 'A video' : 'A short video',
      DOC_MESSAGES,
      { required: ['MediaId', 'ThumbMediaId', 'MsgId'] },
      {
        MsgType: t,
        MediaId: 'MEDIA_ID_0003',
        ThumbMediaId: 'MEDIA_ID_0004',
        MsgId: '23991276453820003',
      },
    ),
  ),
  message(
    'location',
    'A location',
    DOC_MESSAGES,
    { required: ['Location_X', 'Location_Y', 'Scale', 'Label', 'MsgId'] },
    {
      MsgType: 'location',
      Location_X: '23.134521',
      Location_Y: '113.358803',
      Scale: '20',
      Label: 'Example Road 1',
      MsgId: '23991276453820004',
    },
  ),
  message(
    'link',
    'A link',
    DOC_MESSAGES,
    { required: ['Title', 'Description', 'Url', 'MsgId'] },
    {
      MsgType: 'link',
      Title: 'An article',
      Description: 'What it is about',
      Url: 'https://example.com/article',
      MsgId: '23991276453820005',
    },
  ),
  message(
    'file',
    'A file',
    DOC_MESSAGES,
    {
      required: ['Title', 'MsgId'],
      optional: ['Description', 'FileKey', 'FileMd5', 'FileTotalLen'],
    },
    {
      MsgType: 'file',
      Title: 'report.pdf',
      Description: 'report.pdf',
      FileKey: 'FILE_KEY_0001',
      FileMd5: '0123456789abcdef0123456789abcdef',
      FileTotalLen: '2048',
      MsgId: '23991276453820006',
    },
  ),
  message(
    'miniprogrampage',
    'A mini program card sent to customer service',
    DOC_MP_KF,
    {
      required: ['Title', 'AppId', 'PagePath', 'MsgId'],
      optional: ['ThumbUrl', 'ThumbMediaId'],
    },
    {
      MsgType: 'miniprogrampage',
      Title: 'A product',
      AppId: APPID,
      PagePath: 'pages/index/index',
      ThumbUrl: 'https://mmbiz.example.com/thumb.jpg',
      ThumbMediaId: 'MEDIA_ID_0005',
      MsgId: '23991276453820007',
    },
  ),
  message(
    'event',
    'An event push without an Event field',
    DOC_EVENTS,
    { required: [] },
    {
      MsgType: 'event',
    },
  ),
  event(
    'subscribe',
    'A user followed the account (EventKey/Ticket when through a QR code)',
    DOC_EVENTS,
    { required: [], optional: ['EventKey', 'Ticket'] },
    {
      EventKey: 'qrscene_123',
      Ticket: 'TICKET_0001',
    },
  ),
  event('unsubscribe', 'A user unfollowed the account', DOC_EVENTS, { required: [] }, {}),
  event(
    'SCAN',
    'A follower scanned a QR code with a scene',
    DOC_EVENTS,
    { required: ['EventKey'], optional: ['Ticket'] },
    {
      EventKey: '123',
      Ticket: 'TICKET_0002',
    },
  ),
  event(
    'LOCATION',
    'A follower reported a location',
    DOC_EVENTS,
    { required: ['Latitude', 'Longitude', 'Precision'] },
    {
      Latitude: '23.137466',
      Longitude: '113.352425',
      Precision: '119.385040',
    },
  ),
  event('CLICK', 'A menu click', DOC_MENU, { required: ['EventKey'] }, { EventKey: 'MENU_KEY_1' }),
  event(
    'VIEW',
    'A menu link opened',
    DOC_MENU,
    { required: ['EventKey'], optional: ['MenuId'] },
    {
      EventKey: 'https://example.com/',
      MenuId: '100',
    },
  ),
  event(
    'view_miniprogram',
    'A menu item opened a mini program',
    DOC_MENU,
    { required: ['EventKey'], optional: ['MenuId'] },
    {
      EventKey: 'pages/index/index',
      MenuId: '101',
    },
  ),
  ...(['scancode_push', 'scancode_waitmsg'] as const).map((t) =>
    event(
      t,
      'A menu scan',
      DOC_MENU,
      { required: ['EventKey'], nested: { ScanCodeInfo: scanCodeInfo } },
      {
        EventKey: 'SCAN_KEY',
        ScanCodeInfo: { ScanType: 'qrcode', ScanResult: 'https://example.com/code' },
      },
    ),
  ),
  ...(['pic_sysphoto', 'pic_photo_or_album', 'pic_weixin'] as const).map((t) =>
    event(
      t,
      'A menu photo',
      DOC_MENU,
      { required: ['EventKey'], nested: { SendPicsInfo: sendPicsInfo } },
      {
        EventKey: 'PHOTO_KEY',
        SendPicsInfo: {
          Count: '1',
          PicList: { item: { PicMd5Sum: '0123456789abcdef0123456789abcdef' } },
        },
      },
    ),
  ),
  event(
    'location_select',
    'A location chosen from a menu',
    DOC_MENU,
    { required: ['EventKey'], nested: { SendLocationInfo: sendLocationInfo } },
    {
      EventKey: 'LOCATION_KEY',
      SendLocationInfo: {
        Location_X: '23',
        Location_Y: '113',
        Scale: '15',
        Label: 'Example Road 1',
        Poiname: '',
      },
    },
  ),
  event(
    'TEMPLATESENDJOBFINISH',
    'A template message was sent (or not)',
    DOC_TEMPLATE,
    { required: ['MsgID', 'Status'] },
    {
      MsgID: '200163836',
      Status: 'success',
    },
  ),
  event(
    'MASSSENDJOBFINISH',
    'A mass send finished',
    DOC_MASS,
    {
      required: ['MsgID', 'Status', 'TotalCount', 'FilterCount', 'SentCount', 'ErrorCount'],
      nested: {},
    },
    {
      MsgID: '1000001625',
      Status: 'send success',
      TotalCount: '100',
      FilterCount: '80',
      SentCount: '75',
      ErrorCount: '5',
    },
  ),
  ...(
    [
      [
        'subscribe_msg_popup_event',
        'SubscribeMsgPopupEvent',
        'A user answered a subscription pop-up',
        { TemplateId: 'TEMPLATE_ID_1', SubscribeStatusString: 'accept', PopupScene: '0' },
      ],
      [
        'subscribe_msg_change_event',
        'SubscribeMsgChangeEvent',
        'A user changed a subscription',
        { TemplateId: 'TEMPLATE_ID_1', SubscribeStatusString: 'reject' },
      ],
      [
        'subscribe_msg_sent_event',
        'SubscribeMsgSentEvent',
        'A subscription message was sent',
        {
          TemplateId: 'TEMPLATE_ID_1',
          MsgID: '1700827132819554304',
          ErrorCode: '0',
          ErrorStatus: 'success',
        },
      ],
    ] as const
  ).map(([t, field, summary, item]) =>
    event(
      t,
      summary,
      DOC_SUBSCRIBE_MSG,
      { required: [], nested: { [field]: obj([], [], { List: subscribeList }) } },
      {
        [field]: { List: item },
      },
    ),
  ),
  event(
    'user_enter_tempsession',
    'A user opened the customer service session of a mini program',
    DOC_MP_KF,
    { required: [], optional: ['SessionFrom'] },
    {
      SessionFrom: 'product-42',
    },
  ),
  event(
    'kf_create_session',
    'A customer service session started',
    DOC_KF,
    { required: ['KfAccount'] },
    { KfAccount: 'kf2001@example' },
  ),
  event(
    'kf_close_session',
    'A customer service session ended',
    DOC_KF,
    { required: ['KfAccount'] },
    { KfAccount: 'kf2001@example' },
  ),
  event(
    'kf_switch_session',
    'A customer service session moved to another agent',
    DOC_KF,
    { required: ['FromKfAccount', 'ToKfAccount'] },
    {
      FromKfAccount: 'kf2001@example',
      ToKfAccount: 'kf2002@example',
    },
  ),
];
