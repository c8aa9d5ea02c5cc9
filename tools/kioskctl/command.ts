/** One kioskctl command: parses its own arguments (parseOptions: each option named once, in a zod object) and returns an exit code. */
export interface Command {
  name: string;
  summary: string;
  run(argv: string[]): Promise<number>;
}
