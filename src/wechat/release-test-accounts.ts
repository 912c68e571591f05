/**
 * The accounts WeChat uses for the automated full-network release (全网发布) checks: five groups,
 * each with one Official Account and one Mini Program, assigned at random per run. These are
 * WeChat's published fixtures, not credentials. Reference: ../shared/wechat/01 §7.1.
 */
export interface ReleaseTestAccount {
  appid: string;
  /** Original ID (原始ID), the `ToUserName` of pushes to this account. */
  userName: string;
  type: 'officialaccount' | 'miniprogram';
  group: number;
}

export interface ReleaseTestGroup {
  group: number;
  officialAccount: ReleaseTestAccount;
  miniProgram: ReleaseTestAccount;
}

const ROWS: ReadonlyArray<readonly [number, string, string, string, string]> = [
  [1, 'wx570bc396a51b8ff8', 'gh_3c884a361561', 'wxd101a85aa106f53e', 'gh_8dad206e9538'],
  [2, 'wx9252c5e0bb1836fc', 'gh_c0f28a78b318', 'wxc39235c15087f6f3', 'gh_905ae9d01059'],
  [3, 'wx8e1097c5bc82cde9', 'gh_3f222ed8d140', 'wx7720d01d4b2a4500', 'gh_393666f1fdf4'],
  [4, 'wx14550af28c71a144', 'gh_26128078e9ab', 'wx05d483572dcd5d8b', 'gh_39abb5d4e1b7'],
  [5, 'wxa35b9c23cfe664eb', 'gh_2b3713f184a6', 'wx5910277cae6fd970', 'gh_7818dcb60240'],
];

export const RELEASE_TEST_GROUPS: readonly ReleaseTestGroup[] = ROWS.map(
  ([group, oaAppid, oaUser, mpAppid, mpUser]) => ({
    group,
    officialAccount: { appid: oaAppid, userName: oaUser, type: 'officialaccount', group },
    miniProgram: { appid: mpAppid, userName: mpUser, type: 'miniprogram', group },
  }),
);

const ACCOUNTS: readonly ReleaseTestAccount[] = RELEASE_TEST_GROUPS.flatMap((g) => [
  g.officialAccount,
  g.miniProgram,
]);

/** The test account a push is addressed to, by its `ToUserName` (gh_…) or its appid. */
export function findReleaseTestAccount(by: {
  appid?: string | undefined;
  userName?: string | undefined;
}): ReleaseTestAccount | undefined {
  return ACCOUNTS.find(
    (a) =>
      (by.userName !== undefined && a.userName === by.userName) ||
      (by.appid !== undefined && a.appid === by.appid),
  );
}

/** The full-network release test messages and the answers WeChat expects. */
export const RELEASE_TEST_TEXT = 'TESTCOMPONENT_MSG_TYPE_TEXT';
export const RELEASE_TEST_TEXT_REPLY = `${RELEASE_TEST_TEXT}_callback`;
export const RELEASE_QUERY_AUTH_CODE_PREFIX = 'QUERY_AUTH_CODE:';
export const releaseApiReplyContent = (code: string): string => `${code}_from_api`;
export const releaseEventReplyContent = (event: string): string => `${event}from_callback`;
