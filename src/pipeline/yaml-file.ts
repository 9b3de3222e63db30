// A YAML file read for checking: parsed keeping every node's place in the file, with helpers that
// walk maps and lists and record a positioned problem, instead of throwing, where the shape is wrong.

import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, Parser, visit, type CST, type Document, type Node } from 'yaml';
import { interpolate } from './interpolate.ts';
import { Problems } from './problems.ts';

export interface Entry {
  key: string;
  keyNode: Node;
  /** null for `key:` with nothing after it */
  value: Node | null;
}

/** Levels of maps and lists a file may nest: far more than any pipeline or test file needs. */
const MAX_DEPTH = 200;

/** The offset of the first node nested deeper than MAX_DEPTH in `tokens`, walked without recursion. */
function tooDeep(tokens: Iterable<CST.Token>): number | undefined {
  const stack: [CST.Token | undefined, number][] = [...tokens].map((t) => [t, 0]);
  while (stack.length) {
    const [token, depth] = stack.pop()!;
    if (!token) continue;
    if (depth > MAX_DEPTH) return token.offset;
    if (token.type === 'document') stack.push([token.value, depth]);
    if ('items' in token && (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection')) {
      for (const item of token.items) stack.push([(item as { key?: CST.Token | null }).key ?? undefined, depth + 1], [item.value, depth + 1]);
    }
  }
  return undefined;
}

/** What `scalar()` returns for a map or a list. */
export const NOT_SCALAR = Symbol('not a scalar');

export class YamlFile {
  readonly problems: Problems;
  /** The document's top node; null when the file is empty or does not parse. */
  readonly root: Node | null;
  private readonly doc: Document.Parsed;

  constructor(file: string, text: string) {
    // YAML's composer, and the checks after it, recurse once per level: too deep a file is refused
    // from its syntax tree, which is built without recursion
    const cstLines = new LineCounter();
    const deep = tooDeep(new Parser(cstLines.addNewLine).parse(text));
    if (deep !== undefined) {
      this.doc = parseDocument('');
      this.problems = new Problems(file, text, cstLines);
      this.problems.atOffset(deep, `nested more than ${MAX_DEPTH} levels deep; a pipeline needs a few`);
      this.root = null;
      return;
    }
    const lines = new LineCounter();
    this.doc = parseDocument(text, { keepSourceTokens: true, lineCounter: lines, prettyErrors: false });
    this.problems = new Problems(file, text, lines);
    for (const e of this.doc.errors) this.problems.atOffset(e.pos[0], parseProblem(e.code, e.message, text.slice(e.pos[0])));
    // an alias without its anchor before it would otherwise read as nothing, one inside its own anchor as an endless value
    visit(this.doc, {
      Alias: (_, node, path) => {
        const target = node.resolve(this.doc);
        if (!target) this.problems.at(node, `alias *${node.source} names no anchor: write &${node.source} on a value before it`);
        else if (path.includes(target)) this.problems.at(node, `alias *${node.source} is inside the value &${node.source} it names`);
      },
    });
    this.root = this.problems.count ? null : this.resolve(this.doc.contents);
  }

  /** Replace ${VAR} references in every string value (never in keys); a bad one is a problem where it is written. */
  interpolate(env: Record<string, string | undefined>): void {
    visit(this.doc, {
      Scalar: (key, node) => {
        if (key === 'key' || typeof node.value !== 'string') return;
        const result = interpolate(node.value, env);
        if ('error' in result) {
          const before = node.value.slice(0, result.index);
          const line = before.split('\n').length;
          this.problems.at(node, result.error, { line, column: result.index - before.lastIndexOf('\n') });
          this.problems.settled.add(node);
        } else if (result.value !== node.value) {
          node.value = result.value;
          this.problems.rewritten.add(node);
        }
      },
    });
  }

  /** Leave out a top-level key (one given a value by --set instead). */
  drop(key: string): void {
    if (isMap(this.root)) this.root.delete(key);
  }

  /** An alias stands for the node it names. */
  resolve(node: unknown): Node | null {
    if (isAlias(node)) return this.resolve(node.resolve(this.doc));
    return (node as Node | null | undefined) ?? null;
  }

  /** The entries of a map; anything else is a problem (`what` says what the map should hold). */
  entries(node: Node | null, path: string, what: string): Entry[] {
    if (!isMap(node)) {
      this.problems.at(node, `${path}: needs ${what}`);
      return [];
    }
    const entries: Entry[] = [];
    const merged: Entry[] = [];
    for (const pair of node.items) {
      const keyNode = this.resolve(pair.key);
      if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
        this.problems.at(keyNode ?? node, `${path}: keys must be plain names`);
        continue;
      }
      const value = this.resolve(pair.value);
      if (keyNode.value === '<<') {
        // a merge key (<<: *defaults, or a list of them): their entries, unless given here too
        for (const from of isSeq(value) ? value.items.map((item) => this.resolve(item)) : [value]) {
          merged.push(...this.entries(from, `${path}.<<`, 'a map to merge, e.g. <<: *defaults'));
        }
        continue;
      }
      entries.push({ key: String(keyNode.value), keyNode, value });
    }
    return [...merged.filter((m) => !entries.some((e) => e.key === m.key)), ...entries];
  }

  /** The items of a list; anything else is a problem. */
  items(node: Node | null, path: string, what: string): (Node | null)[] {
    if (isSeq(node)) return node.items.map((item) => this.resolve(item));
    this.problems.at(node, `${path}: needs ${what}`);
    return [];
  }

  /** A scalar's value (null for nothing), or NOT_SCALAR for a map or a list. */
  scalar(node: Node | null): unknown {
    if (node === null) return null;
    return isScalar(node) ? node.value : NOT_SCALAR;
  }

  /** Plain data of a node (maps as objects, lists as arrays), for values given as YAML data. */
  data(node: Node | null): unknown {
    if (node === null) return null;
    try {
      return node.toJS(this.doc); // aliases inside stand for what their anchors name
    } catch (err) {
      this.problems.at(node, lowerFirst((err as Error).message));
      this.problems.settled.add(node);
      return null;
    }
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** The YAML library's message in this project's words where it can be clearer. */
function parseProblem(code: string, message: string, textAt: string): string {
  if (code === 'MULTIPLE_DOCS') return 'a second document (after ---): a file holds one';
  // the library says where the repeated key is, not which: it is the text there
  if (code === 'DUPLICATE_KEY') return `key '${/^[^:\n]*?(?=\s*:)/.exec(textAt)?.[0] ?? textAt.split('\n')[0]}' is given twice in this map`;
  return lowerFirst(message);
}
