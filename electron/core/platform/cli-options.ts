import { parseArgs } from 'node:util';
import { z } from 'zod';

type OptionKind = { type: 'string' | 'boolean'; multiple?: boolean };

/** Looks through defaults, optionals and pipes to the schema that says what the option holds. */
function innerOf(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (let i = 0; i < 10; i++) {
    if (
      s instanceof z.ZodDefault ||
      s instanceof z.ZodOptional ||
      s instanceof z.ZodPrefault ||
      s instanceof z.ZodNullable
    )
      s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else break;
  }
  return s;
}

/** The node:util parseArgs table, read from the zod object: each option is named once, in the schema. */
export function optionTable(schema: z.ZodObject): Record<string, OptionKind> {
  return Object.fromEntries(
    Object.entries(schema.shape).map(([name, field]) => {
      const inner = innerOf(field as z.ZodType);
      if (inner instanceof z.ZodBoolean) return [name, { type: 'boolean' }];
      if (inner instanceof z.ZodArray) return [name, { type: 'string', multiple: true }];
      return [name, { type: 'string' }];
    }),
  );
}

/**
 * One readable line per issue: the option's name first, unless the schema's own message already names
 * an option (`--fps must be a number`) or the issue is about the options together (a refinement).
 */
export function optionIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => (i.path.length === 0 || /--[a-z]/.test(i.message) ? i.message : `--${i.path.join('.')}: ${i.message}`))
    .join('; ');
}

type Short = Partial<Record<string, string>>;

/** A bad command line (unknown option, bad value): the tool prints it with its usage and exits 2. */
export class OptionsError extends Error {}

/**
 * Reads argv with the table of one or more zod objects, without validating the values: for a tool
 * with sub-commands, each command's options are named once, in its own schema, and the command (the
 * first positional) picks the schema `checkOptions` validates them with.
 */
export function readOptions(
  argv: string[],
  schemas: readonly z.ZodObject[],
  options: { positionals?: boolean; short?: Short } = {},
): { values: Record<string, unknown>; positionals: string[] } {
  const table: Record<string, OptionKind & { short?: string }> = Object.assign({}, ...schemas.map(optionTable));
  for (const [name, letter] of Object.entries(options.short ?? {}))
    if (table[name] && letter) table[name] = { ...table[name], short: letter };
  try {
    return parseArgs({ args: argv, options: table, allowPositionals: options.positionals === true, strict: true });
  } catch (err) {
    throw new OptionsError(err instanceof Error ? err.message : String(err));
  }
}

/** Validates option values against one zod object; throws one readable message naming the options. */
export function checkOptions<S extends z.ZodType>(values: unknown, schema: S): z.infer<S> {
  const parsed = schema.safeParse(values);
  if (!parsed.success) throw new OptionsError(optionIssues(parsed.error));
  return parsed.data;
}

/**
 * Parses command-line options against ONE zod object (booleans are flags, arrays repeat, everything
 * else is a string the schema coerces), for kioskctl, the shells and the tools alike. Unknown options
 * and bad values are refused in one readable message naming the option. `short` gives one-letter
 * aliases (`{ help: 'h' }`).
 */
export function parseOptions<S extends z.ZodObject>(
  argv: string[],
  schema: S,
  options: { positionals?: boolean; short?: Partial<Record<keyof z.infer<S> & string, string>> } = {},
): { values: z.infer<S>; positionals: string[] } {
  const raw = readOptions(argv, [schema], options);
  return { values: checkOptions(raw.values, schema), positionals: raw.positionals };
}

/**
 * `parseOptions` for a script's entry point: on a bad command line, prints `tool: message` (and the
 * usage, when given) to stderr and exits with code 2 instead of throwing a stack trace at the user.
 */
export function parseOptionsOrExit<S extends z.ZodObject>(
  tool: string,
  argv: string[],
  schema: S,
  options: Parameters<typeof parseOptions<S>>[2] & { usage?: string } = {},
): { values: z.infer<S>; positionals: string[] } {
  try {
    return parseOptions(argv, schema, options);
  } catch (err) {
    if (!(err instanceof OptionsError)) throw err;
    console.error(`${tool}: ${err.message}${options.usage ? `\n${options.usage}` : ''}`);
    process.exit(2);
  }
}
