/**
 * A recognition model package as a clinic would install one, built from the built-in model: the
 * built-in recognition net under a manifest of its own (id `clinic-test-model`), which this build
 * does not pin, so it loads only with its manifest's SHA-256 (`face.model.manifestSha256`, or
 * `--model-package DIR:SHA256` in the tools). For the tests of the model package and of the tools.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '../../electron/core/face/model-package.js';
import { projectRoot } from './fixtures.js';

export interface EditableManifest {
  id: string;
  files: Array<{ file: string; sha256: string }>;
  recognition: Record<string, unknown>;
}

/** Writes the package into a new temp folder (the caller removes it); `edit` may change the manifest first. */
export function foreignModelPackage(edit: (manifest: EditableManifest) => void = () => undefined): {
  dir: string;
  sha: string;
} {
  const modelsDir = join(projectRoot, 'models');
  const dir = mkdtempSync(join(tmpdir(), 'kelu-pkg-'));
  const manifest = JSON.parse(readFileSync(join(modelsDir, 'manifest.json'), 'utf8')) as EditableManifest;
  manifest.id = 'clinic-test-model';
  manifest.files = manifest.files.filter((f) => f.file.startsWith('face_recognition_model'));
  for (const f of manifest.files) cpSync(join(modelsDir, f.file), join(dir, f.file));
  edit(manifest);
  const text = JSON.stringify(manifest, null, 2);
  writeFileSync(join(dir, 'manifest.json'), text);
  return { dir, sha: sha256Hex(new TextEncoder().encode(text)) };
}
