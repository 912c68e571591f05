import { randomAlnum, randomDigits, type RandomSource } from '../core/random.ts';

/**
 * Value formats observed on WeChat (../shared/wechat/01 §9 "Formats to mimic"). All values are
 * random fakes.
 */
export interface IdSource {
  ticket(): string;
  accessToken(): string;
  preAuthCode(): string;
  authCode(): string;
  refreshToken(): string;
  merchantAppid(): string;
  userName(): string;
  nonce(): string;
  rid(): string;
  msgId(): string;
}

export function createIds(random: RandomSource): IdSource {
  const hex = (bytes: number): string => random.bytes(bytes).toString('hex');
  let msgSeq: bigint | undefined;
  return {
    ticket: () => `ticket@@@${randomAlnum(86, random)}`,
    accessToken: () => `${randomDigits(2, random)}_${randomAlnum(120, random)}`,
    preAuthCode: () => `preauthcode@@@${randomAlnum(64, random)}`,
    authCode: () => `queryauthcode@@@${randomAlnum(64, random)}`,
    refreshToken: () => `refreshtoken@@@${randomAlnum(43, random)}`,
    merchantAppid: () => `wx${hex(8)}`,
    userName: () => `gh_${hex(6)}`,
    nonce: () => randomDigits(10, random),
    rid: () => `${hex(4)}-${hex(4)}-${hex(4)}`,
    msgId: () => {
      // A 64-bit id above 2^53, so that a receiver which parses it as a JS number loses digits.
      if (msgSeq === undefined) {
        msgSeq = (1n << 62n) + (random.bytes(8).readBigUInt64BE(0) >> 4n);
      }
      msgSeq += 1n;
      return msgSeq.toString();
    },
  };
}
