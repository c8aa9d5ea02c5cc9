/**
 * Why a patient is on reception's hand-off list, and why the photo path ended: the ONE place these
 * lists live (core parts, the contract and the screens all import them from here).
 */

/** Why the photo path ended without a ticket; each leads to the decline path and reception. */
export const photoPathEnds = [
  'attempts',
  'camera-missing',
  'camera-denied',
  'camera-unplugged',
  'camera-failed',
  'camera-refused',
  'engine',
] as const;
export type PhotoPathEnd = (typeof photoPathEnds)[number];

/** Why a patient was sent to reception (the hand-off list's reason column). */
export const handoffReasons = [
  'declined-no-code',
  'face-check-failed',
  'too-many-wrong-codes',
  'camera-fault',
  'asked-for-help',
] as const;
export type HandoffReason = (typeof handoffReasons)[number];

/** The patient screens "I need help" can be pressed on (reception sees which one). */
export const patientScreens = ['attract', 'identify', 'consent', 'camera', 'ticket', 'decline'] as const;
export type PatientScreen = (typeof patientScreens)[number];

/**
 * "I have no code" after the photo path failed is not a refusal of the photo: reception should see
 * the real cause. Core knows it from the check-in, so the screen cannot misreport it.
 */
export function noCodeReason(end: PhotoPathEnd | undefined): HandoffReason {
  if (!end) return 'declined-no-code';
  return end === 'attempts' ? 'face-check-failed' : 'camera-fault';
}
