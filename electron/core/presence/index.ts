export { createPresenceSession } from './session.js';
export type {
  BestFrame,
  ChallengeSide,
  PresenceEvidence,
  PresenceFailure,
  PresencePhase,
  PresenceSession,
  PresenceSessionOptions,
  PresenceState,
} from './session.js';
export { judgeFrame, landmarkMotion, frameScore, type FrameChecks, type FrameJudgement, type PresenceConfig } from './guidance.js';
export { planarFit, fitHomographyDlt, type PlanarFit, type Point, type Homography } from './homography.js';
export { presenceMessageKeys, presenceMessagesEn, type PresenceMessageKey } from './messages.js';
