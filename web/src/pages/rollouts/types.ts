/** Rollouts' answers, typed from the OpenAPI document (the generated client types). */
import type { Answer, RequestBody } from '../../api-types.ts';

export type RolloutInput = RequestBody<'createRollout'>;
export type Rollout = Answer<'getRollout'>;
export type RolloutStatus = Rollout['status'];
export type RolloutPage = Answer<'listRollouts'>;
export type Preview = Answer<'previewRollout'>;
export type PreviewItem = Preview['items'][number];
export type RetryAnswer = Answer<'retryRollout'>;
export type Versions = Answer<'listVersions'>;
export type VersionStep = Versions['items'][number];
export type RolloutItemPage = Answer<'listRolloutItems'>;
export type RolloutItem = RolloutItemPage['items'][number];
export type ItemState = RolloutItem['state'];
