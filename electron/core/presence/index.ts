export { createPresencePolicy, photometricJudge } from './policy.js';
export type {
  KeptFrame,
  ChallengeSample,
  ChallengeSide,
  PlanarityJudge,
  PresenceEvidence,
  PresenceFailure,
  PresencePhase,
  PresencePolicy,
  PresencePolicyOptions,
  PresenceState,
} from './policy.js';
export {
  boxOverlap,
  continuityBounds,
  continuityBreak,
  type ContinuityBounds,
  type ContinuityBreak,
} from './continuity.js';
export {
  judgeFrame,
  landmarkMotion,
  frameScore,
  type FrameChecks,
  type FrameJudgement,
  type PresenceConfig,
} from './guidance.js';
export { fitHomographyDlt, type Point, type Homography } from './homography.js';
export { presenceMessageKeys, type PresenceMessageKey } from './messages.js';
export { photometricPlanarFit, toGray, type GrayImage, type PhotometricFit } from './photometric.js';
