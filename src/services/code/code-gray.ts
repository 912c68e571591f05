import { AppError } from '../../core/errors.ts';
import type { WechatClient } from '../../wechat/client.ts';
import type { CodeHistory, CodeStep } from './code-history.ts';

/**
 * Phased (gray) release of a version that passed its audit: to a share of users first
 * (grayrelease, repeated with a growing share), WeChat's plan (getgrayreleaseplan), and cancelling
 * it (revertgrayrelease). A full release ends it. Reference: ../shared/wechat/02 §3.14.
 */
export function createGrayRelease(deps: {
  client: WechatClient;
  history: CodeHistory;
  tenantOf: (appid: string) => Promise<unknown>;
}) {
  const { client, history, tenantOf } = deps;
  return {
    /** Releases the passed version to a share of users (grayrelease); repeat with a higher share. */
    async grayRelease(
      appid: string,
      input: { percentage: number; debuger_first?: boolean; experiencer_first?: boolean },
      actor: string,
    ): Promise<CodeStep> {
      await tenantOf(appid);
      const current = await history.state(appid);
      if (current.audit?.state !== 'passed') {
        throw new AppError('conflict', 'a phased release needs a version that passed its audit', {
          details: {
            field: 'audit',
            params: { reason: 'gray_needs_passed_audit', state: current.audit?.state ?? null },
          },
        });
      }
      if (current.gray && input.percentage <= current.gray.percentage) {
        throw new AppError(
          'bad_request',
          `the share must grow: it is ${current.gray.percentage} % now`,
          {
            details: {
              field: 'percentage',
              params: {
                reason: 'gray_share_must_grow',
                field: 'percentage',
                percentage: current.gray.percentage,
              },
            },
          },
        );
      }
      await client.call(
        'grayrelease',
        {
          gray_percentage: input.percentage,
          ...(input.debuger_first === undefined
            ? {}
            : { support_debuger_first: input.debuger_first }),
          ...(input.experiencer_first === undefined
            ? {}
            : { support_experiencer_first: input.experiencer_first }),
        },
        { appid },
      );
      return (await history.record(appid, 'gray_release', {
        template_id: current.audit.template_id,
        user_version: current.audit.user_version,
        auditid: current.audit.auditid,
        detail: { percentage: input.percentage },
        actor,
      })) as CodeStep;
    },

    async grayPlan(appid: string) {
      await tenantOf(appid);
      const res = await client.call('getgrayreleaseplan', {}, { appid });
      return { appid, plan: res.gray_release_plan };
    },

    async revertGray(appid: string, actor: string): Promise<CodeStep> {
      await tenantOf(appid);
      const current = await history.state(appid);
      if (!current.gray) {
        throw new AppError('conflict', 'no phased release is running', {
          details: { params: { reason: 'no_gray_release' } },
        });
      }
      await client.call('revertgrayrelease', {}, { appid });
      return (await history.record(appid, 'gray_reverted', {
        user_version: current.gray.user_version,
        detail: { percentage: current.gray.percentage },
        actor,
      })) as CodeStep;
    },
  };
}
