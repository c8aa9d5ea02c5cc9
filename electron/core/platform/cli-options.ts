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
 * Parses command-line options against ONE zod object (booleans are flags, arrays repeat, everything
 * else is a string the schema coerces), for kioskctl, the shells and the tools alike. Unknown options
 * and bad values are refused in one readable message naming the option.
 */
export function parseOptions<S extends z.ZodObject>(
  argv: string[],
  schema: S,
  options: { positionals?: boolean } = {},
): { values: z.infer<S>; positionals: string[] } {
  let raw: { values: Record<string, unknown>; positionals: string[] };
  try {
    raw = parseArgs({
      args: argv,
      options: optionTable(schema),
      allowPositionals: options.positionals === true,
      strict: true,
    });
  } catch (err) {
    throw new Error(err instanceof Error ? err.message : String(err));
  }
  const parsed = schema.safeParse(raw.values);
  if (!parsed.success)
    throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.') || 'options'}: ${i.message}`).join('; '));
  return { values: parsed.data, positionals: raw.positionals };
}
