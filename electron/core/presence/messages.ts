/**
 * The instructions the presence policy gives the patient, as i18n keys (namespace `presence`,
 * renderer/src/i18n/locales/{kk,ru,en}/presence.json holds the words; no wording lives in core).
 * One key at a time: the most important problem first, so the patient is never asked to fix two
 * things at once.
 */
export const presenceMessageKeys = [
  'presence.noFace',
  'presence.oneAtATime',
  'presence.moveCloser',
  'presence.moveBack',
  'presence.centre',
  'presence.lookAtCamera',
  'presence.moreLight',
  'presence.lessLight',
  'presence.holdStill',
  'presence.turnLeft',
  'presence.turnRight',
  'presence.turnBack',
  'presence.passed',
  'presence.challengeFailed',
  'presence.keepInView',
  'presence.guideTimeout',
] as const;

export type PresenceMessageKey = (typeof presenceMessageKeys)[number];
