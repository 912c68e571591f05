import { AppError } from '../core/errors.ts';

/** Return codes of the official WXBizMsgCrypt samples; local, never sent over the wire. */
export const CryptoErrorCode = {
  ValidateSignatureError: -40001,
  ParseXmlError: -40002,
  ComputeSignatureError: -40003,
  IllegalAesKey: -40004,
  ValidateAppidError: -40005,
  EncryptAESError: -40006,
  DecryptAESError: -40007,
  IllegalBuffer: -40008,
  EncodeBase64Error: -40009,
  DecodeBase64Error: -40010,
  GenReturnXmlError: -40011,
} as const;

export type CryptoErrorName = keyof typeof CryptoErrorCode;

export class WxCryptoError extends AppError {
  readonly reason: CryptoErrorName;
  readonly wxCode: number;
  constructor(reason: CryptoErrorName, message: string) {
    super('crypto_error', message, { details: { reason, code: CryptoErrorCode[reason] } });
    this.name = 'WxCryptoError';
    this.reason = reason;
    this.wxCode = CryptoErrorCode[reason];
  }
}
