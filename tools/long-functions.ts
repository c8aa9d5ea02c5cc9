// Lists the long functions and closures (issue 16, item 9): every function body in electron/,
// upstream/ and tools/ (tests aside) longer than `--over` lines, longest first, with its name, file
// and line count; `--max N` fails on any function longer than N. `npm run check:functions` (and
// `npm test`) run it with 150: a closure that grows past it is split into named parts, one concept each.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { z } from 'zod';
import { parseOptionsOrExit } from '../electron/core/platform/cli-options.js';

const SOURCE = /\.(ts|tsx|mts|mjs)$/;
const TEST = /\.(test|spec)\.(ts|tsx|mts|mjs)$/;
const ROOTS = ['electron', 'upstream', 'tools'];

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else if (SOURCE.test(name) && !TEST.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

export interface LongFunction {
  /** The enclosing functions' names and its own, outermost first (`createSyncEngine › push`). */
  name: string;
  file: string;
  /** From the line the function starts on to the line its body closes on, both counted. */
  lines: number;
  line: number;
}

type FunctionNode = ts.FunctionLikeDeclaration & { body: ts.Node };

function isFunctionWithBody(node: ts.Node): node is FunctionNode {
  return (
    (ts.isFunctionDeclaration(node) ||
      ts.isFunctionExpression(node) ||
      ts.isArrowFunction(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node)) &&
    node.body !== undefined
  );
}

function propertyName(name: ts.PropertyName, source: ts.SourceFile): string {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isPrivateIdentifier(name)
    ? name.text
    : name.getText(source);
}

/** The name a reader would look for: its own, else the variable, property or call it is handed to. */
function nameOf(node: FunctionNode, source: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (node.name) return propertyName(node.name, source);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return propertyName(parent.name, source);
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken)
    return parent.left.getText(source);
  if (ts.isCallExpression(parent)) {
    const callee = parent.expression.getText(source);
    const first = parent.arguments[0];
    const label = first && ts.isStringLiteralLike(first) ? ` '${first.text}'` : '';
    return `(${callee.length > 40 ? `${callee.slice(0, 40)}…` : callee}${label} callback)`;
  }
  if (ts.isExportAssignment(parent)) return 'default export';
  return '(anonymous)';
}

/** Every function in one file, named through its enclosing functions, with its length in lines. */
export function functionsOf(file: string, text: string = readFileSync(file, 'utf8')): LongFunction[] {
  const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : file.endsWith('.mjs') ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const out: LongFunction[] = [];
  const visit = (node: ts.Node, outer: string[]): void => {
    let path = outer;
    if (isFunctionWithBody(node)) {
      path = [...outer, nameOf(node, source)];
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.body.getEnd()).line;
      out.push({ name: path.join(' › '), file, lines: end - start + 1, line: start + 1 });
    }
    ts.forEachChild(node, (child) => visit(child, path));
  };
  visit(source, []);
  return out;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const { values, positionals } = parseOptionsOrExit(
    'check:functions',
    process.argv.slice(2),
    z.object({
      max: z.coerce.number().int().positive().optional(),
      over: z.coerce.number().int().nonnegative().default(120),
    }),
    {
      positionals: true,
      usage: 'usage: tsx tools/long-functions.ts [--over 120] [--max N] [folder …]',
    },
  );
  const roots = positionals.length ? positionals : ROOTS;
  const long = roots
    .flatMap((r) => listFiles(resolve(r)))
    .flatMap((f) => functionsOf(f))
    .filter((f) => f.lines > values.over)
    .sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.line - b.line);
  for (const f of long)
    console.log(`${String(f.lines).padStart(5)}  ${f.name}  ${relative(process.cwd(), f.file)}:${f.line}`);
  const tooLong = values.max === undefined ? [] : long.filter((f) => f.lines > values.max!);
  console.log(
    `${long.length} functions over ${values.over} lines` +
      (values.max === undefined ? '' : `, ${tooLong.length} over the limit of ${values.max}`),
  );
  process.exit(tooLong.length ? 1 : 0);
}
