#!/usr/bin/env node
// Copies the face-api weights Kelu uses from the installed package into models/ and checks each
// file against the committed SHA-256 manifest, so a changed package cannot slip in other weights.
// `--write-manifest` records the hashes of what is installed (only when upgrading on purpose).
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = join(root, 'models');
const manifestPath = join(modelsDir, 'manifest.json');
const require = createRequire(import.meta.url);

/** Where each shipped model comes from: package → its model folder. */
const SOURCES = {
  '@vladmandic/face-api': 'model',
};
const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
const pkgDir = (name) => dirname(require.resolve(`${name}/package.json`));

const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const write = process.argv.includes('--write-manifest');
mkdirSync(modelsDir, { recursive: true });
let failed = 0;
for (const entry of manifest.files) {
  const sourceDir = join(pkgDir(entry.package), SOURCES[entry.package] ?? entry.dir ?? 'model');
  const src = join(sourceDir, entry.source ?? entry.file);
  if (!existsSync(src)) {
    console.error(`models: ${entry.file} is missing from ${entry.package} (looked at ${src})`);
    failed++;
    continue;
  }
  const hash = sha256(src);
  if (write) entry.sha256 = hash;
  else if (hash !== entry.sha256) {
    console.error(`models: ${entry.file} from ${entry.package} does not match models/manifest.json (sha256 ${hash})`);
    failed++;
    continue;
  }
  copyFileSync(src, join(modelsDir, entry.file));
}
if (write) {
  const text = JSON.stringify(manifest, null, 2) + '\n';
  writeFileSync(manifestPath, text);
  // The engine trusts a manifest only when its own hash is pinned in code (issue 11.5).
  console.log(
    `models: pin ${createHash('sha256').update(text).digest('hex')} in electron/core/face/pinned-manifests.ts`,
  );
}
if (failed) process.exit(1);
console.log(`models: ${manifest.files.length} files copied to models/ and verified`);
