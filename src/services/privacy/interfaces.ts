import { AppError } from '../../core/errors.ts';

/**
 * The privacy interfaces a mini program must declare (app.json / ext.json `requiredPrivateInfos`)
 * and, for most of them, apply for before WeChat lets the code use them. Names as
 * get_privacy_interface and apply_privacy_interface write them, with the `wx.` prefix.
 * Source: https://developers.weixin.qq.com/miniprogram/dev/reference/configuration/app.html#requiredPrivateInfos
 * (the eight location and address APIs) and the api_name values of
 * https://developers.weixin.qq.com/doc/oplatform/openApi/OpenApiDoc/miniprogram-management/privacy-api-management/getPrivacyInterface.html
 * Also the checks of an application's body, shared by the privacy routes and the profiles that
 * list interfaces (pure: no database, no WeChat).
 */
export const PRIVACY_INTERFACE_NAMES = [
  'wx.chooseAddress',
  'wx.chooseLocation',
  'wx.choosePoi',
  'wx.getFuzzyLocation',
  'wx.getLocation',
  'wx.onLocationChange',
  'wx.startLocationUpdate',
  'wx.startLocationUpdateBackground',
] as const;

/** get_privacy_interface status in words (doc api_getprivacyinterface). */
const INTERFACE_STATES: Readonly<Record<number, string>> = {
  1: 'not_applied',
  2: 'no_permission',
  3: 'applying',
  4: 'rejected',
  5: 'approved',
};

/** An interface's state: status is given once an application was made (doc); none means not applied yet. */
export function interfaceState(status: number | null | undefined): string {
  if (status === null || status === undefined) return 'not_applied';
  return INTERFACE_STATES[status] ?? `status_${status}`;
}

/** `wx.getLocation` → `getLocation`, as requiredPrivateInfos lists it. */
export const declaredName = (apiName: string): string => apiName.replace(/^wx\./, '');

export interface ApplyInput {
  api_name: string;
  content: string;
  url_list?: string[];
  pic_list?: string[];
  video_list?: string[];
}

/** The limits of apply_privacy_interface (doc): content ≤ 300 characters, ≤ 10 pictures, 1 video. */
const CONTENT_MAX = 300;
const PICS_MAX = 10;
const VIDEOS_MAX = 1;

/** A refusal naming the field, with `params.reason` for the console's words. */
export function refuse(
  code: 'bad_request' | 'conflict',
  field: string,
  reason: string,
  message: string,
  params: object = {},
): never {
  throw new AppError(code, message, { details: { field, params: { reason, field, ...params } } });
}

/**
 * The checks of apply_privacy_interface's body before WeChat sees it (a reason, and a page,
 * picture or video showing the use); `prefix` names where the body sits in a larger input.
 */
export function checkApplication(
  input: Omit<ApplyInput, 'api_name'> & { api_name?: string },
  prefix = '',
): void {
  const content = typeof input.content === 'string' ? input.content.trim() : '';
  if (content === '')
    refuse('bad_request', `${prefix}content`, 'content_missing', 'content is required');
  if ([...content].length > CONTENT_MAX) {
    refuse(
      'bad_request',
      `${prefix}content`,
      'content_too_long',
      `content has at most ${CONTENT_MAX} characters`,
      { max: CONTENT_MAX, limit: CONTENT_MAX },
    );
  }
  const urls = input.url_list ?? [];
  const pics = input.pic_list ?? [];
  const videos = input.video_list ?? [];
  if (urls.length + pics.length + videos.length === 0) {
    refuse(
      'bad_request',
      `${prefix}url_list`,
      'material_missing',
      'give at least one of url_list, pic_list or video_list showing where the interface is used',
    );
  }
  if (pics.length > PICS_MAX) {
    refuse(
      'bad_request',
      `${prefix}pic_list`,
      'too_many',
      `pic_list takes at most ${PICS_MAX} pictures`,
      { max: PICS_MAX, limit: PICS_MAX },
    );
  }
  if (videos.length > VIDEOS_MAX) {
    refuse('bad_request', `${prefix}video_list`, 'too_many', 'video_list takes one video', {
      max: VIDEOS_MAX,
      limit: VIDEOS_MAX,
    });
  }
  for (const [field, list] of [
    ['url_list', urls],
    ['pic_list', pics],
    ['video_list', videos],
  ] as const) {
    const bad = list.findIndex((u) => !/^https?:\/\/\S+$/i.test(u));
    if (bad >= 0)
      refuse(
        'bad_request',
        `${prefix}${field}[${bad}]`,
        'url_invalid',
        `${field}[${bad}] is not an http(s) URL`,
      );
  }
  if (videos.some((v) => !/\.mp4(\?|#|$)/i.test(v))) {
    refuse(
      'bad_request',
      `${prefix}video_list[0]`,
      'video_not_mp4',
      'WeChat takes only MP4 videos',
    );
  }
}
