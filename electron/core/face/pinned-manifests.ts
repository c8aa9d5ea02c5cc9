/**
 * SHA-256 of every model-package manifest this build trusts without further configuration (issue
 * 11.5: the weights and models/manifest.json sit side by side in the unpacked resources, so the
 * manifest alone proves nothing; this module is bundled into the integrity-checked app). A package
 * outside this list loads only when the kiosk's configuration gives its manifest's SHA-256
 * (`face.model.manifestSha256`). After `node scripts/copy-models.mjs --write-manifest`, put the hash
 * it prints here; tests/unit/face-models.test.ts fails until you do.
 */
export const PINNED_MANIFESTS: Readonly<Record<string, string>> = {
  '470afa833860417941865035fb5b28704c57dc6ff38b9a62872aa864a7b2ebce':
    'models/manifest.json (faceapi-dlib128, built in)',
};
