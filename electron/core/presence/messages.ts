/**
 * The instructions the presence policy gives the patient, as i18n keys (namespace `presence`,
 * renderer/src/i18n/locales/{kk,ru,en}/presence.json). One key at a time: the most important
 * problem first, so the patient is never asked to fix two things at once.
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
] as const;

export type PresenceMessageKey = (typeof presenceMessageKeys)[number];

/** English reference wording (the renderer's locale files are the source for the screen). */
export const presenceMessagesEn: Record<PresenceMessageKey, string> = {
  'presence.noFace': 'Look at the camera so we can see your face',
  'presence.oneAtATime': 'One person at a time, please',
  'presence.moveCloser': 'Please come a little closer',
  'presence.moveBack': 'Please move back a little',
  'presence.centre': 'Move so your face is in the circle',
  'presence.lookAtCamera': 'Look straight at the camera',
  'presence.moreLight': 'It is too dark; please face the light',
  'presence.lessLight': 'Too much light; step out of the glare',
  'presence.holdStill': 'Hold still',
  'presence.turnLeft': 'Slowly turn your head to the left',
  'presence.turnRight': 'Slowly turn your head to the right',
  'presence.turnBack': 'Now look back at the camera',
  'presence.passed': 'Thank you',
  'presence.challengeFailed': 'We could not check that. Please try again or ask at reception',
};
