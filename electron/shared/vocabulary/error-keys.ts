/**
 * Stable keys of the errors a screen translates (renderer/src/screens/staff/errors.ts maps each to
 * its words in kk, ru and en). The message stays core's English for kioskctl and logs; screens
 * match the key, never the text.
 */
export const errorKeys = ['staff.locked', 'staff.wrong-credentials', 'handoffs.iin-mismatch'] as const;
export type ErrorKey = (typeof errorKeys)[number];
