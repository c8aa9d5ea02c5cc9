/**
 * The browser host's patient simulator (a development and test tool) names its camera so. Being
 * "virtual", the camera policy refuses it like any virtual camera unless the kiosk was started with
 * the development switch that accepts this one label (createCore's `simulatorCamera`).
 */
export const simulatorCameraLabel = 'Kelu patient simulator (virtual camera)';
