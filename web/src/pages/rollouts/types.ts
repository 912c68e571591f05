/** Rollouts' answers, typed from the server's services. */
import type { Rollouts, RolloutInput } from '../../../../src/services/rollout/rollouts.ts';
import type { CodePipeline } from '../../../../src/services/code/code-pipeline.ts';
import type { ItemState } from '../../../../src/services/rollout/rollout-view.ts';
import type { Json } from '../../api-types.ts';

type Answer<F extends (...args: never[]) => unknown> = Json<Awaited<ReturnType<F>>>;

export type { RolloutInput, ItemState };
export type Rollout = Answer<Rollouts['get']>;
export type RolloutStatus = Rollout['status'];
export type RolloutPage = { items: Rollout[]; total: number };
export type Preview = Answer<Rollouts['preview']>;
export type PreviewItem = Preview['items'][number];
export type RetryAnswer = Answer<Rollouts['retry']>;
export type Versions = Answer<CodePipeline['versions']>;
export type VersionStep = Versions['items'][number];

/** One mini program of a rollout (`GET /api/admin/rollouts/:id/items`). */
export interface RolloutItem {
  appid: string;
  tenant_id: string | null;
  wave: number;
  state: ItemState;
  auditid: number | null;
  reason: string | null;
  /** `reason` as a stable code and its params (src/services/rollout/reasons.ts). */
  reason_code: string | null;
  reason_params: Record<string, string | number> | null;
  errcode: number | null;
  screenshots: string[] | null;
  attempts: number;
  updated_at: string;
}
export interface RolloutItemPage {
  items: RolloutItem[];
  total: number;
}
