#!/usr/bin/env node
// kioskctl: clinic IT's command line. Each command lives in its own module under cli/commands and
// registers here; run `npm run kioskctl -- help`.
import { commands } from './registry.js';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log('Usage: npm run kioskctl -- <command> [options]\n\nCommands:');
    for (const c of commands) console.log(`  ${c.name.padEnd(14)} ${c.summary}`);
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`kioskctl: unknown command "${name.slice(0, 40)}". Run "npm run kioskctl -- help".`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    console.error(`kioskctl ${name}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
