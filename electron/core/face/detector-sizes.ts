// The detector's input sizes and score floor, for live analysis, tracking and describe (measured:
// docs/face-engine.md, docs/presence.md "Cost").
/** Detector input size (px, multiple of 32) for live analysis and for describe. */
export const ANALYZE_INPUT_SIZE = 224;
export const DESCRIBE_INPUT_SIZE = 224;
/**
 * describe looks again at this size when the first pass finds no face: a frame where the face is
 * small (a photo, a patient standing back) costs one more pass instead of failing.
 */
export const DESCRIBE_RETRY_INPUT_SIZE = 416;
/** Border added on each side (fraction of the frame) for describe's last try on tight face crops. */
export const CROP_PAD = 0.3;
/**
 * Detector input for the square around a tracked face (2.2× the face, so the face fills about 45 %
 * of it): measured on the fixture recordings at the kiosk's 480×360, no face missed that the whole
 * frame at 224 found (128 missed 12 %).
 */
export const TRACK_INPUT_SIZE = 160;
/** Detections under this score are not faces. */
export const MIN_SCORE = 0.5;
