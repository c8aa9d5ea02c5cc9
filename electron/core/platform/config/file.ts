// Reads a clinic's configuration file (JSON, validated by the config schema) with one clear message:
// the one reader for the Electron app, the browser host and kioskctl.
import { readFileSync } from 'node:fs';
import { parseConfig, type KioskConfig } from './schema.js';

export function readConfigFile(file: string): KioskConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`Cannot read the configuration file ${file}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(
      `The configuration file ${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return parseConfig(json, `The configuration file ${file}`);
}
