import { auditCommand } from './commands/audit.js';
import { reportCommand } from './commands/report.js';
import { staffCommand } from './commands/staff.js';
import { evalFacesCommand } from './commands/eval-faces.js';

/** One kioskctl command: parses its own arguments (node:util parseArgs + zod) and returns an exit code. */
export interface Command {
  name: string;
  summary: string;
  run(argv: string[]): Promise<number>;
}

// Each command module adds one line here.
export const commands: Command[] = [
  staffCommand,
  auditCommand,
  reportCommand,
  evalFacesCommand,
];
