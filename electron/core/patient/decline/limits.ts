/**
 * Hard limits on what a patient (or a hostile QR code) can hand the kiosk on the decline path.
 * They are checked before any parsing, so a parser never sees more than a few hundred characters.
 */

/** Longest QR text the kiosk will even look at; an eGov share token is at most 354 characters. */
export const MAX_QR_TEXT = 512;

/**
 * Longest string the contract accepts at all. A QR code holds at most 7,089 characters; anything up
 * to this limit is answered with a readable "too long" rejection instead of a transport error.
 */
export const MAX_TRANSPORT_TEXT = 8192;

/** Digits in an eGov one-time code. */
export const CODE_LENGTH = 6;
