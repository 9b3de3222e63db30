// Fusions: rewrites of a pipeline into a faster equivalent, decided once when it is planned.
// A map that only picks fields of the decoded line is done by the source's decoder, which reads
// those fields straight from the line and makes neither the record nor the strings of the others:
// `--parse split --map 'x[N]'`, `--map 'x.split("SEP")[N]'`, `--parse clf --map x.status` and
// `--parse clf --map '[x.path, x.bytes]'` (the common "count by a field" jobs, where decoding is most of the cost),
// and `--parse json --map 'x.a'`, `x.a.b`, `x["a"]`, `x?.a` or `[x.a, x.b]` (group-by jobs over NDJSON).
// The expression is recognised from its syntax tree, so spacing, quotes and parentheses do not matter.

import type { Node } from 'acorn';
import { compileExpr, exprTree, unparenthesized, type Fn } from '../core/expr.ts';
import { clfFieldsDecoder, isClfField, type ClfField } from '../io/codecs/clf.ts';
import { SKIP, type DecodeRange } from '../io/codecs/codec.ts';
import { createDecoder } from '../io/codecs/index.ts';
import { isOwnFieldName, jsonFieldsDecoder, type JsonPath } from '../io/codecs/json-fields.ts';
import { fieldDecoder } from '../io/codecs/split.ts';
import { sourceFor } from '../io/sources/index.ts';
import { guard } from '../operators/operator.ts';
import { readersOf } from './graph.ts';
import type { PipelineSpec } from './pipeline.ts';

export interface FieldFusion {
  /** The stream whose first operator the source's decoder now does. */
  stream: string;
  decoder: DecodeRange;
}

/** For each source that can be fused with the map after it, the decoder that replaces both. */
export function fuseFieldAccess(spec: PipelineSpec): Map<string, FieldFusion> {
  const fused = new Map<string, FieldFusion>();
  for (const [name, stream] of Object.entries(spec.streams)) {
    const from = stream.from[0]!;
    const first = stream.ops[0];
    const source = spec.sources[from];
    // only where the source feeds this stream alone, the stream reads nothing else and the record
    // is the decoded line itself (not wrapped with a message's metadata)
    if (!source || stream.from.length !== 1 || first?.op !== 'map' || typeof first.arg !== 'string' || readersOf(spec, from) !== 1) continue;
    const decoder = !wrapsRecords(source.in) && fieldsOfLine(source.parse, first.arg, first.label);
    if (decoder) fused.set(from, { stream: name, decoder });
  }
  return fused;
}

type Member = Node & { object: Node; property: Node & { name?: string; value?: unknown }; computed: boolean; optional: boolean };
type Call = Node & { callee: Node; arguments: Node[]; optional: boolean };

/** The decoder that gives what `expr` (the map `label`) gives of each line parsed by `parse`, when it only picks fields of the line. */
function fieldsOfLine(parse: string | undefined, expr: string, label: string): DecodeRange | undefined {
  let tree: Node;
  try {
    tree = exprTree(expr);
  } catch {
    return undefined; // the planner has reported it
  }
  if (parse === 'clf') {
    const picked = tree.type === 'ArrayExpression' ? (tree as Node & { elements: (Node | null)[] }).elements.map((e) => e && clfField(e)) : [clfField(tree)];
    if (picked.length && picked.every((f) => f !== undefined && f !== null)) return clfFieldsDecoder(picked as ClfField[], tree.type === 'ArrayExpression');
    return undefined;
  }
  if (parse === 'json') {
    const paths = tree.type === 'ArrayExpression' ? (tree as Node & { elements: (Node | null)[] }).elements.map((e) => e && jsonPath(e)) : [jsonPath(tree)];
    if (paths.length && paths.every((p) => p?.length)) return jsonFieldsDecoder(paths as JsonPath[], tree.type === 'ArrayExpression', jsonThen(expr, label));
    return undefined;
  }
  const index = indexOf(tree);
  if (index === undefined) return undefined;
  if (parse && /^split(:|$)/.test(parse) && isX(index.of)) return fieldDecoder(parse.slice(6) || undefined, index.n);
  const sep = parse === undefined ? splitSeparator(index.of) : undefined;
  return sep === undefined ? undefined : fieldDecoder(sep, index.n);
}

const isX = (node: Node) => {
  const inner = unparenthesized(node);
  return inner.type === 'Identifier' && (inner as Node & { name: string }).name === 'x';
};

/** `x.F` or `x["F"]` for a field F of a CLF record. */
function clfField(node: Node): ClfField | undefined {
  const m = unparenthesized(node) as Member;
  if (m.type !== 'MemberExpression' || m.optional || !isX(m.object)) return undefined;
  const name = m.computed ? literal(m.property) : m.property.name;
  return typeof name === 'string' && isClfField(name) ? name : undefined;
}

/**
 * `x.a.b`, `x["a"]["b"]` or `x?.a?.b` (any depth) for names no object inherits: the names (none for `x`
 * itself). `?.` reads as `.` in every line the scanner takes, where each object on the path is one.
 */
function jsonPath(node: Node): string[] | undefined {
  const inner = unparenthesized(node);
  if (inner.type === 'ChainExpression') return jsonPath((inner as Node & { expression: Node }).expression);
  if (isX(inner)) return [];
  const m = inner as Member;
  if (m.type !== 'MemberExpression') return undefined;
  const name = m.computed ? literal(m.property) : m.property.name;
  const path = typeof name === 'string' && isOwnFieldName(name) ? jsonPath(m.object) : undefined;
  return path && [...path, name as string];
}

/**
 * The unfused way, for the lines the JSON field scanner leaves: the line's JSON.parse, then the map's
 * expression, compiled when a line first needs it (the plan has compiled it once, for the map it replaces).
 */
function jsonThen(expr: string, label: string): (line: string) => unknown {
  const decode = createDecoder('json');
  let fn: Fn | undefined;
  return (line) => {
    const rec = decode(line);
    if (rec === SKIP) return SKIP;
    fn ??= guard(label, compileExpr(expr, 'record'));
    return fn(rec);
  };
}

/** `E[N]` for a whole number N: E and N. */
function indexOf(node: Node): { of: Node; n: number } | undefined {
  const m = unparenthesized(node) as Member;
  if (m.type !== 'MemberExpression' || !m.computed || m.optional) return undefined;
  const n = literal(m.property);
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? { of: m.object, n } : undefined;
}

/** SEP of `x.split("SEP")` for a non-empty string SEP. */
function splitSeparator(node: Node): string | undefined {
  const call = unparenthesized(node) as Call;
  if (call.type !== 'CallExpression' || call.optional || call.arguments.length !== 1) return undefined;
  const callee = unparenthesized(call.callee) as Member;
  if (callee.type !== 'MemberExpression' || callee.computed || callee.optional || callee.property.name !== 'split' || !isX(callee.object)) return undefined;
  const sep = literal(call.arguments[0]!);
  return typeof sep === 'string' && sep !== '' ? sep : undefined;
}

/** The value of a literal number or string (not a regular expression); undefined for any other node. */
function literal(node: Node): unknown {
  const inner = unparenthesized(node) as Node & { value?: unknown; regex?: unknown };
  return inner.type === 'Literal' && !inner.regex ? inner.value : undefined;
}

/**
 * Whether the source's records are its lines wrapped with a message's metadata (kafka ?meta=true).
 * A URI that does not check (a pipeline file's problem, reported by the loader) is fused with nothing.
 */
function wrapsRecords(uri: string): boolean {
  try {
    return sourceFor(uri).values.meta === true;
  } catch {
    return true;
  }
}
