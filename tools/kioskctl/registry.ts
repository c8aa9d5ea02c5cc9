import { provisionCommand } from './commands/provision.js';
import { statusCommand } from './commands/status.js';
import { syncCommand } from './commands/sync.js';
import { exportCommand } from './commands/export.js';
import { auditCommand } from './commands/audit.js';
import { reportCommand } from './commands/report.js';
import { staffCommand } from './commands/staff.js';
import { evalFacesCommand } from './commands/eval-faces.js';
import { declineCheckCommand } from './commands/decline-check.js';
import { evalPresenceCommand } from './commands/eval-presence.js';
import { voiceCheckCommand } from './commands/voice-check.js';
import type { Command } from './command.js';

// Commands import their type from ./command.js, never this list.
// Each command module adds one line here.
export const commands: Command[] = [
  staffCommand,
  auditCommand,
  reportCommand,
  provisionCommand,
  statusCommand,
  syncCommand,
  exportCommand,
  evalFacesCommand,
  evalPresenceCommand,
  declineCheckCommand,
  voiceCheckCommand,
];
