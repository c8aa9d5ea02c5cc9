/**
 * SHA-256 of every model-package manifest this build trusts without further configuration (issue
 * 11.5: the weights and models/manifest.json sit side by side in the unpacked resources, so the
 * manifest alone proves nothing; this module is bundled into the integrity-checked app). A package
 * outside this list loads only when the kiosk's configuration gives its manifest's SHA-256
 * (`face.model.manifestSha256`). After `node scripts/copy-models.mjs --write-manifest`, put the hash
 * it prints here; tests/unit/face-models.test.ts fails until you do.
 */
export const PINNED_MANIFESTS: Readonly<Record<string, string>> = {
  '08abe64973997710a31d7ed8c6ed546f2e25b1e7f44614220fe27e56eec91950': 'models/manifest.json (faceapi-dlib128, built in)',
};
