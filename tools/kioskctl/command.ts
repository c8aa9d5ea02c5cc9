/** One kioskctl command: parses its own arguments (node:util parseArgs + zod) and returns an exit code. */
export interface Command {
  name: string;
  summary: string;
  run(argv: string[]): Promise<number>;
}
