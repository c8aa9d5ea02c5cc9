// ESLint rule `layers/allowed-imports`: the project's layers as an ALLOW-LIST, in the habit of VS
// Code's code-import-patterns. Each relative import is resolved to the file it names; the importing
// file's layer must list the target's layer, else the import is an error naming both. A layer is the
// longest matching folder prefix in `layers` (eslint.config.js holds the table).
import { dirname, relative, resolve, sep } from 'node:path';

/** @param {string} file @param {{ name: string, path: string }[]} layers */
function layerOf(file, layers) {
  let best;
  for (const layer of layers) {
    if (
      (file === layer.path || file.startsWith(layer.path.endsWith('/') ? layer.path : layer.path + '/')) &&
      (!best || layer.path.length > best.path.length)
    )
      best = layer;
  }
  return best;
}

const allowedImports = {
  meta: {
    type: 'problem',
    docs: { description: 'each layer imports only the layers its allow-list names' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          layers: { type: 'array' },
        },
        required: ['root', 'layers'],
      },
    ],
  },
  create(context) {
    const { root, layers } = context.options[0];
    const toRepo = (abs) => relative(root, abs).split(sep).join('/');
    const from = layerOf(toRepo(context.filename), layers);
    if (!from) return {};
    const check = (node, spec, typeOnly) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = toRepo(resolve(dirname(context.filename), spec));
      if (target.startsWith('..')) return;
      const to = layerOf(target, layers);
      if (!to || to.name === from.name) return;
      if (from.allow.includes(to.name)) return;
      if (typeOnly && (from.allowTypes ?? []).includes(to.name)) return;
      const allowed = [...from.allow, ...(from.allowTypes ?? []).map((l) => `${l} (types)`)].join(', ') || 'nothing';
      context.report({
        node,
        message: `${from.name} (${from.path}) may not import ${to.name} (${target}); it may import: ${allowed}`,
      });
    };
    const isTypeOnly = (node) =>
      node.importKind === 'type' ||
      node.exportKind === 'type' ||
      (node.specifiers?.length > 0 && node.specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type'));
    return {
      ImportDeclaration: (node) => check(node, node.source.value, isTypeOnly(node)),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value, isTypeOnly(node)),
      ExportAllDeclaration: (node) => check(node, node.source.value, node.exportKind === 'type'),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value, false),
    };
  },
};

export default { rules: { 'allowed-imports': allowedImports } };
