// A small reader for the Bicep constructs infra/ uses: param declarations, identifier uses, resource
// and module bodies as nested objects, `var x = {...}` objects and string arrays. The Bicep compiler
// cannot be installed here, so this reads text; anything it does not understand is an error, never
// a silent pass.

export interface ParamDeclaration {
  readonly name: string;
  readonly hasDefault: boolean;
  readonly line: number;
}

/** A Bicep object: each entry's raw expression text, and the parsed object when the value is `{…}`. */
export interface BicepObject {
  readonly entries: ReadonlyMap<string, BicepValue>;
}

export interface BicepValue {
  readonly raw: string;
  readonly object?: BicepObject;
  readonly line: number;
}

export interface Declaration {
  readonly kind: 'resource' | 'module';
  readonly symbol: string;
  /** The quoted type (`Microsoft.Authorization/roleAssignments@2022-04-01`) or module path. */
  readonly type: string;
  readonly body: BicepObject;
  readonly line: number;
}

export class BicepReadError extends Error {
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'BicepReadError';
  }
}

export class BicepFile {
  /** The text with comments and string contents blanked (interpolations kept), offsets unchanged. */
  readonly code: string;

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.code = codeOnly(text, file);
  }

  lineAt(offset: number): number {
    let line = 1;
    for (let i = 0; i < offset && i < this.text.length; i++) if (this.text[i] === '\n') line++;
    return line;
  }

  params(): ParamDeclaration[] {
    const found: ParamDeclaration[] = [];
    for (const m of this.code.matchAll(/^[ \t]*param[ \t]+([A-Za-z_]\w*)[ \t]+[^\n=]*(=[^\n]*)?$/gm)) {
      found.push({ name: m[1] as string, hasDefault: m[2] !== undefined, line: this.lineAt(m.index) });
    }
    return found;
  }

  /**
   * Where `name` is used as a value: not its own declaration, not a property after `.`, not an object
   * key. Uses inside string interpolation count.
   */
  uses(name: string): number[] {
    const offsets: number[] = [];
    const pattern = new RegExp(`(?<![\\w.$])${name}(?!\\w)`, 'g');
    for (const m of this.code.matchAll(pattern)) {
      const before = this.code.slice(0, m.index);
      if (/(^|\n)[ \t]*(param|var|resource|module|output)[ \t]+$/.test(before)) continue;
      if (/[ \t]*:/.test(this.code.slice(m.index + name.length, m.index + name.length + 3))) {
        if (/(^|[{,\n])[ \t]*$/.test(before)) continue;
      }
      offsets.push(m.index);
    }
    return offsets;
  }

  /** Every `resource` and `module` declaration with its body. */
  declarations(): Declaration[] {
    const found: Declaration[] = [];
    for (const m of this.code.matchAll(/^[ \t]*(resource|module)[ \t]+([A-Za-z_]\w*)[ \t]+'/gm)) {
      const typeStart = m.index + m[0].length;
      const typeEnd = this.text.indexOf("'", typeStart);
      const afterType = this.code.slice(typeEnd + 1);
      const head = /^(?:[ \t]+existing)?[ \t]*=[ \t]*(?:if[ \t]*\([^\n]*?\)[ \t]*)?\{/.exec(afterType);
      if (!head) throw new BicepReadError(this.file, this.lineAt(m.index), `cannot read the body of ${m[2]}`);
      const open = typeEnd + 1 + head[0].length - 1;
      found.push({
        kind: m[1] as 'resource' | 'module',
        symbol: m[2] as string,
        type: this.text.slice(typeStart, typeEnd),
        body: this.objectAt(open).object,
        line: this.lineAt(m.index),
      });
    }
    return found;
  }

  /** The object of `var name = {…}`. */
  varObject(name: string): BicepObject {
    const m = new RegExp(`^[ \\t]*var[ \\t]+${name}[ \\t]*=[ \\t]*\\{`, 'm').exec(this.code);
    if (!m) throw new BicepReadError(this.file, 1, `no var ${name} = {…}`);
    return this.objectAt(m.index + m[0].length - 1).object;
  }

  /** The string literals of `var name = [ '…' … ]`; anything else in the array is an error. */
  varStrings(name: string): string[] {
    const m = new RegExp(`^[ \\t]*var[ \\t]+${name}[ \\t]*=[ \\t]*\\[`, 'm').exec(this.code);
    if (!m) throw new BicepReadError(this.file, 1, `no var ${name} = […]`);
    const open = m.index + m[0].length - 1;
    const close = this.matching(open);
    // In code a string literal is its quotes around blanks; anything else is not a plain string list.
    const inner = this.code.slice(open + 1, close);
    if (inner.replace(/'[ ]*'/g, '').trim() !== '') {
      throw new BicepReadError(this.file, this.lineAt(open), `expected only string literals in ${name}`);
    }
    const strings: string[] = [];
    for (const s of inner.matchAll(/'[ ]*'/g)) {
      const at = open + 1 + s.index;
      strings.push(this.text.slice(at + 1, at + s[0].length - 1));
    }
    return strings;
  }

  /** The index of the bracket closing the one at `open`, in code. */
  private matching(open: number): number {
    const pairs: Record<string, string> = { '{': '}', '[': ']', '(': ')' };
    const stack: string[] = [];
    for (let i = open; i < this.code.length; i++) {
      const c = this.code[i] as string;
      if (c in pairs) stack.push(pairs[c] as string);
      else if (c === '}' || c === ']' || c === ')') {
        if (stack.pop() !== c) throw new BicepReadError(this.file, this.lineAt(i), `unbalanced ${c}`);
        if (stack.length === 0) return i;
      }
    }
    throw new BicepReadError(this.file, this.lineAt(open), 'unclosed bracket');
  }

  /** Parses the object whose `{` is at `open`: entries are `key: value`, split by newlines or commas. */
  private objectAt(open: number): { object: BicepObject; end: number } {
    const close = this.matching(open);
    const entries = new Map<string, BicepValue>();
    let i = open + 1;
    while (i < close) {
      const c = this.code[i] as string;
      if (/[\s,]/.test(c)) {
        i++;
        continue;
      }
      const key = /^([A-Za-z_$][\w$]*|'[^'\n]*')[ \t]*:/.exec(this.code.slice(i, close));
      if (!key) {
        throw new BicepReadError(
          this.file,
          this.lineAt(i),
          `expected key: value in an object, found "${this.text.slice(i, i + 20)}"`,
        );
      }
      const name = this.text.slice(i, i + (key[1] as string).length).replace(/^'|'$/g, '');
      let start = i + key[0].length;
      while (start < close && /[ \t]/.test(this.code[start] as string)) start++;
      let end = start;
      let depth = 0;
      for (; end < close; end++) {
        const ch = this.code[end] as string;
        if ('{[('.includes(ch)) depth++;
        else if ('}])'.includes(ch)) depth--;
        else if (depth === 0 && (ch === '\n' || ch === ',')) break;
      }
      let last = end;
      while (last > start && /\s/.test(this.code[last - 1] as string)) last--;
      const raw = this.text.slice(start, last);
      const isObject = this.code[start] === '{' && this.matching(start) === last - 1;
      const value: BicepValue = isObject
        ? { raw, object: this.objectAt(start).object, line: this.lineAt(start) }
        : { raw, line: this.lineAt(start) };
      if (entries.has(name)) throw new BicepReadError(this.file, this.lineAt(i), `duplicate key ${name}`);
      entries.set(name, value);
      i = end;
    }
    return { object: { entries }, end: close };
  }
}

/** Splits `f(a, b(c, d), 'e,f')` into its top-level arguments, or undefined when `raw` is not a call of `fn`. */
export function callArguments(raw: string, fn: string): string[] | undefined {
  const m = new RegExp(`^${fn}\\(([\\s\\S]*)\\)$`).exec(raw.trim());
  if (!m) return undefined;
  const inner = m[1] as string;
  const code = codeOnly(inner, '(expression)');
  const args: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i] as string;
    if ('{[('.includes(c)) depth++;
    else if ('}])'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      args.push(inner.slice(from, i).trim());
      from = i + 1;
    }
  }
  args.push(inner.slice(from).trim());
  return args;
}

/** A value inside an object by path (`properties.principalId`). */
export function valueAt(object: BicepObject, path: string): BicepValue | undefined {
  let current: BicepObject | undefined = object;
  let value: BicepValue | undefined;
  for (const key of path.split('.')) {
    value = current?.entries.get(key);
    current = value?.object;
  }
  return value;
}

/**
 * Blanks comments and the contents of string literals (keeping `${…}` interpolations, which are code),
 * preserving every offset and newline.
 */
export function codeOnly(text: string, file: string): string {
  const out = text.split('');
  // Each frame is a string being read; an interpolation pushes a code frame counting its braces.
  const stack: Array<{ kind: 'string' } | { kind: 'code'; braces: number }> = [{ kind: 'code', braces: 0 }];
  let i = 0;
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  while (i < text.length) {
    const top = stack[stack.length - 1] as (typeof stack)[number];
    const c = text[i] as string;
    if (top.kind === 'code') {
      if (text.startsWith('//', i)) {
        const end = text.indexOf('\n', i);
        const stop = end === -1 ? text.length : end;
        blank(i, stop);
        i = stop;
      } else if (text.startsWith('/*', i)) {
        const end = text.indexOf('*/', i + 2);
        if (end === -1) throw new BicepReadError(file, 0, 'unclosed /* comment');
        blank(i, end + 2);
        i = end + 2;
      } else if (text.startsWith("'''", i)) {
        const end = text.indexOf("'''", i + 3);
        if (end === -1) throw new BicepReadError(file, 0, "unclosed ''' string");
        blank(i + 3, end);
        i = end + 3;
      } else if (c === "'") {
        stack.push({ kind: 'string' });
        i++;
      } else {
        if (c === '{') top.braces++;
        else if (c === '}') {
          if (top.braces === 0 && stack.length > 1) {
            stack.pop();
            i++;
            continue;
          }
          top.braces--;
        }
        i++;
      }
    } else if (c === '\\') {
      blank(i, i + 2);
      i += 2;
    } else if (text.startsWith('${', i)) {
      stack.push({ kind: 'code', braces: 0 });
      i += 2;
    } else if (c === "'") {
      stack.pop();
      i++;
    } else {
      if (c === '\n') throw new BicepReadError(file, 0, 'a string literal runs past the end of its line');
      blank(i, i + 1);
      i++;
    }
  }
  if (stack.length !== 1) throw new BicepReadError(file, 0, 'unclosed string or interpolation');
  return out.join('');
}
