// Fusions: rewrites of a pipeline into a faster equivalent, decided once when it is planned.
// A map that only picks fields of the decoded line is done by the source's decoder, which reads
// those fields straight from the line and makes neither the record nor the strings of the others:
// `--parse split --map 'x[N]'`, `--map 'x.split("SEP")[N]'`, `--parse clf --map x.status` and
// `--parse clf --map '[x.path, x.bytes]'` (the common "count by a field" jobs, where decoding is most of the cost),
// and `--parse json --map 'x.a'`, `x.a.b`, `x["a"]`, `x?.a` or `[x.a, x.b]` (group-by jobs over NDJSON).
// Where a window's event time or a filter reads the CLF record before such a map, the decoder makes a
// record of just the fields they all read. Expressions are recognised from their syntax trees, so
// spacing, quotes and parentheses do not matter.

import type { Node } from 'acorn';
import { compileExpr, exprTree, unparenthesized, type Fn } from '../core/expr.ts';
import { clfFieldsDecoder, clfRecordDecoder, isClfField, type ClfField } from '../io/codecs/clf.ts';
import { SKIP, type DecodeRange } from '../io/codecs/codec.ts';
import { createDecoder } from '../io/codecs/index.ts';
import { isOwnFieldName, jsonFieldsDecoder, type JsonPath } from '../io/codecs/json-fields.ts';
import { fieldDecoder } from '../io/codecs/split.ts';
import { sourceFor } from '../io/sources/index.ts';
import { guard, type OpSpec } from '../operators/operator.ts';
import { readersOf } from './graph.ts';
import type { PipelineSpec } from './pipeline.ts';

export interface FieldFusion {
  /** The stream that reads the source's records. */
  stream: string;
  decoder: DecodeRange;
  /** Whether the decoder also does the stream's first operator (a map), which is then left out. */
  doesFirst: boolean;
}

/** For each source that can be fused with the operators after it, the decoder that does their part. */
export function fuseFieldAccess(spec: PipelineSpec): Map<string, FieldFusion> {
  const fused = new Map<string, FieldFusion>();
  for (const [name, stream] of Object.entries(spec.streams)) {
    const from = stream.from[0]!;
    const source = spec.sources[from];
    // only where the source feeds this stream alone, the stream reads nothing else and the record
    // is the decoded line itself (not wrapped with a message's metadata)
    if (!source || stream.from.length !== 1 || readersOf(spec, from) !== 1 || wrapsRecords(source.in)) continue;
    const first = stream.ops[0];
    const picked = first?.op === 'map' && typeof first.arg === 'string' ? fieldsOfLine(source.parse, first.arg, first.label) : undefined;
    // a dead letter holds the record as the failing operator saw it: there, the whole one
    const fields = !picked && source.parse === 'clf' && !spec.onError.startsWith('dlq:') ? clfFieldsRead(stream.ops) : undefined;
    if (picked) fused.set(from, { stream: name, decoder: picked, doesFirst: true });
    else if (fields) fused.set(from, { stream: name, decoder: clfRecordDecoder(fields), doesFirst: false });
  }
  return fused;
}

/**
 * The fields of a CLF record that a stream reads before a map replaces the record: in a window's event
 * time, in filters and in the map, each of which must read the record only as `x.F`. Undefined where
 * anything sees the record whole (a sink, another operator, an expression that passes `x` on).
 */
function clfFieldsRead(ops: readonly OpSpec[]): ClfField[] | undefined {
  const fields = new Set<string>();
  const reads = (expr: unknown) => typeof expr === 'string' && fieldsReadOfX(expr, fields);
  for (const { op, arg, options } of ops) {
    if (op === 'window' ? options['event-time'] === undefined || reads(options['event-time']) : op === 'filter' && reads(arg)) continue;
    if (op !== 'map' || !reads(arg)) return undefined;
    const names = [...fields];
    return names.every(isClfField) ? names : undefined;
  }
  return undefined;
}

/** Names bound to the whole record (or that can reach it) in an expression. */
const WHOLE_RECORD = new Set(['x', 'k', 'v', 'arguments', 'eval']);

/** Adds to `into` the fields `expr` reads of x as `x.F` or `x["F"]`; false where it uses x otherwise, or is a function. */
function fieldsReadOfX(expr: string, into: Set<string>): boolean {
  let tree: Node;
  try {
    tree = exprTree(expr);
  } catch {
    return false; // the planner has reported it
  }
  const visit = (node: Node): boolean => {
    switch (node.type) {
      case 'Identifier':
        return !WHOLE_RECORD.has((node as Node & { name: string }).name);
      case 'ArrowFunctionExpression':
      case 'FunctionExpression':
        return false; // its parameters could be named x
      case 'MemberExpression': {
        const m = node as Member;
        if (isX(m.object)) {
          const name = memberName(m);
          return typeof name === 'string' && (into.add(name), true);
        }
        return visit(m.object) && (!m.computed || visit(m.property));
      }
      case 'Property': {
        const p = node as Node & { key: Node; value: Node; computed: boolean };
        return (!p.computed || visit(p.key)) && visit(p.value);
      }
      default:
        return Object.values(node).every((child) => (Array.isArray(child) ? child.every((c) => !isNode(c) || visit(c)) : !isNode(child) || visit(child)));
    }
  };
  return visit(tree);
}

const isNode = (value: unknown): value is Node => typeof (value as Node | null)?.type === 'string';

type Member = Node & { object: Node; property: Node & { name?: string; value?: unknown }; computed: boolean; optional: boolean };
/** The name of `E.F` or `E["F"]` (a number for `E[N]`); undefined for a computed one. */
const memberName = (m: Member): unknown => (m.computed ? literal(m.property) : m.property.name);
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
  const name = memberName(m);
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
  const name = memberName(m);
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
