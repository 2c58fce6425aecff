import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { locate } from '../../src/config/locate.js';

const TEXT = `registry:
  url: myregistry.azurecr.io
images:
  - source: node
    target: base/node
base: &base { team: payments }
app: *base
`;

function at(path: PropertyKey[], options?: { key?: boolean }, text = TEXT) {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  return locate(doc, lines, path, options);
}

describe('locate finds where a field is written', () => {
  it.each([
    ['a value in a map', ['registry', 'url'], { line: 2, column: 8 }],
    ['an item of a list', ['images', 0], { line: 4, column: 5 }],
    ['a field of a list item', ['images', 0, 'target'], { line: 5, column: 13 }],
    ['a missing field: the nearest value written', ['registry', 'acr', 'name'], { line: 2, column: 3 }],
    ['an item past the end of a list: the list', ['images', 3, 'source'], { line: 4, column: 3 }],
    ['a name used on a list: the list', ['images', 'first'], { line: 4, column: 3 }],
    ['a field below a plain value: the value', ['registry', 'url', 'host'], { line: 2, column: 8 }],
    ['through an alias, in the anchored value', ['app', 'team'], { line: 6, column: 21 }],
  ])('%s', (_name, path, position) => {
    expect(at(path)).toEqual(position);
  });

  it('the key itself for an unknown key, its value otherwise', () => {
    expect(at(['registry', 'url'], { key: true })).toEqual({ line: 2, column: 3 });
    expect(at(['registry'], { key: true })).toEqual({ line: 1, column: 1 });
    expect(at(['images', 0, 'source'], { key: true })).toEqual({ line: 4, column: 5 });
  });

  it('an empty file is line 1, column 1', () => {
    expect(at(['version'], {}, '')).toEqual({ line: 1, column: 1 });
  });
});
