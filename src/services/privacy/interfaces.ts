/**
 * The privacy interfaces a mini program must declare (app.json / ext.json `requiredPrivateInfos`)
 * and, for most of them, apply for before WeChat lets the code use them. Names as
 * get_privacy_interface and apply_privacy_interface write them, with the `wx.` prefix.
 * Source: https://developers.weixin.qq.com/miniprogram/dev/reference/configuration/app.html#requiredPrivateInfos
 * (the eight location and address APIs) and the api_name values of
 * https://developers.weixin.qq.com/doc/oplatform/openApi/OpenApiDoc/miniprogram-management/privacy-api-management/getPrivacyInterface.html
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

/** `wx.getLocation` → `getLocation`, as requiredPrivateInfos lists it. */
export const declaredName = (apiName: string): string => apiName.replace(/^wx\./, '');
