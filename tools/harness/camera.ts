// Fake webcam feeds for the browser host: an image or a video (a path, or a path inside the face
// fixtures) becomes a y4m file that Chromium plays as the camera. Made with ffmpeg once and cached
// in the temp folder (kelu-fake-camera), keyed by the file and the options.
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { makeFakeCameraFeed, type FakeCameraOptions } from '../../electron/browser-host/fake-camera.js';
import { fixture } from './fixtures.js';

export type { FakeCameraOptions };

/**
 * `source`: an absolute path, or a path relative to the face fixtures (`photos/obama_1.jpg`,
 * `hard/two_people.jpg`, `video/hamilton_clip.mp4`). Default 640×480 at 10 fps; a still lasts 2 s
 * (Chromium loops it), a video keeps its length up to 20 s.
 */
export async function cameraFeed(source: string, options: FakeCameraOptions = {}): Promise<string> {
  const file = isAbsolute(source) && existsSync(source) ? source : fixture(source);
  return makeFakeCameraFeed(file, options);
}
