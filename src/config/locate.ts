// Maps a field path back to where it is written in the YAML source.
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/**
 * The position of the value at `path`, or of the nearest enclosing value written in the file when the
 * field is missing. With `key: true` the position of the key itself (for an unknown key).
 */
export function locate(
  doc: Document,
  lines: LineCounter,
  path: readonly PropertyKey[],
  options: { key?: boolean } = {},
): SourcePosition {
  let node: unknown = doc.contents;
  let position = start(node, lines) ?? { line: 1, column: 1 };
  for (const [i, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => String(isScalar(item.key) ? item.key.value : item.key) === String(segment),
      );
      if (!pair) return position;
      const target = last && options.key ? pair.key : (pair.value ?? pair.key);
      position = start(target, lines) ?? position;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) return position;
      position = start(item, lines) ?? position;
      node = item;
    } else {
      return position;
    }
  }
  return position;
}

function start(node: unknown, lines: LineCounter): SourcePosition | undefined {
  const range = (node as Node | null | undefined)?.range;
  if (!range) return undefined;
  const { line, col } = lines.linePos(range[0]);
  return { line, column: col };
}
