// Compiles the JavaScript expressions given to operators, once, into plain functions.
// A bare expression sees its operator's named arguments (x, k, v / a, b / values, state);
// an arrow or function expression is evaluated once and then called with them in order.
// Every expression also sees `t`, the time of the batch being processed (epoch ms), as Spark
// passes the batch time to transform and updateStateByKey.
// Compiling runs none of the user's code: checking a pipeline file is safe on any file.

import { Console } from 'node:console';
import { parseExpressionAt, type Node } from 'acorn';
import { stderr } from './report.ts';

/** The `console` expressions see: stdout carries the data, so what they log goes to stderr. */
let expressionConsole: Console | undefined;
const stderrConsole = () => (expressionConsole ??= new Console({ stdout: stderr(), stderr: stderr() }));

/** What a compiled expression is called with, per operator kind. */
export const ROLES = {
  /** one record; a pair also binds k and v */
  record: ['x'],
  /** the value of a pair; k binds the key and x the value too */
  value: ['v', 'k'],
  /** two values being combined */
  reduce: ['a', 'b'],
  /** a key's new values this batch and its previous state (updateStateByKey) */
  state: ['values', 'state', 'k'],
  /** one record's key and value and its key's state object (mapWithState) */
  keyedState: ['k', 'v', 'state'],
  /** the whole batch as an array */
  batch: ['x'],
  /** no arguments: a constant or a factory, evaluated once */
  constant: [],
} as const;
export type Role = keyof typeof ROLES;

/** A syntax error inside an expression, with its 1-based line and column in the expression text. */
export class ExprSyntaxError extends Error {
  readonly reason: string;
  readonly line: number;
  readonly column: number;
  constructor(reason: string, line: number, column: number) {
    super(`${reason} at ${line > 1 ? `line ${line}, ` : ''}column ${column}`);
    this.reason = reason;
    this.line = line;
    this.column = column;
  }
}

// biome-ignore lint: expressions are arbitrary functions by design
export type Fn = (...args: any[]) => any;

/** Compile `text` for `role`; throws ExprSyntaxError with a position when it does not parse. */
export function compileExpr(text: string, role: Role): Fn {
  const inner = exprTree(text);
  if (inner.type === 'ArrowFunctionExpression' || inner.type === 'FunctionExpression') {
    // evaluating a function expression only makes the function: none of its code runs
    return valueOf(text) as Fn;
  }
  const params = [...ROLES[role]];
  const body = `${preludeOf(text, role)}return (${text}\n);`;
  try {
    return made(text, `return function (${params.join(', ')}) { ${body} };`) as Fn;
  } catch (err) {
    // acorn accepted it, V8 did not (rare: e.g. a strict-mode rule); no position to give
    throw new ExprSyntaxError((err as Error).message, 1, 1);
  }
}

function preludeOf(text: string, role: Role): string {
  const prelude: string[] = [];
  if (role === 'record' && /\b[kv]\b/.test(text)) {
    prelude.push('const k = Array.isArray(x) ? x[0] : undefined, v = Array.isArray(x) ? x[1] : undefined;');
  }
  if (role === 'value' && /\bx\b/.test(text)) prelude.push('const x = v;');
  return prelude.join('');
}

/** Evaluate a constant expression (an arrow function, an array of them, a literal): this runs its code. */
export function evaluate(text: string): unknown {
  parseWhole(text);
  return valueOf(text);
}

/** The value of `text`, which has parsed, seeing `t` and the stderr console. */
function valueOf(text: string): unknown {
  return made(text, `return (${text}\n);`);
}

let anyMade = false;
/** Whether this process has made code of the user's (which may run away: see watchForRunaways). */
export const userCodeMade = (): boolean => anyMade;

/** Run `body`, made from the user's `text`, where it sees `t` (if `text` names it) and the stderr console. */
function made(text: string, body: string): unknown {
  anyMade = true;
  return BATCH_TIME.test(text) ? withBatchTime(body) : new Function('console', body)(stderrConsole());
}

/** An expression that may name `t` (a property `.t` does not count). */
const BATCH_TIME = /(?<![.\w$])t(?![\w$])/;

let batchTime = Number.NaN;
/** Setters of the `t` of each expression that names it. */
const batchTimeSetters = new Set<(ms: number) => void>();

/** Run `body` where `t` is a variable that setBatchTime() sets: expressions that use it pay nothing per call. */
function withBatchTime(body: string): unknown {
  const setter = (set: (ms: number) => void) => {
    set(batchTime);
    batchTimeSetters.add(set);
  };
  return new Function('__setter', 'console', `let t = Number.NaN; __setter((ms) => { t = ms; }); ${body}`)(setter, stderrConsole());
}

/** The batch being processed is now the one at `ms`; returns the time before, to put back. */
export function setBatchTime(ms: number): number {
  const before = batchTime;
  if (ms === before) return before;
  batchTime = ms;
  for (const set of batchTimeSetters) set(ms);
  return before;
}

/**
 * A constant expression (an array of functions, a literal), parsed when checked and evaluated only
 * when a pipeline is built, so that checking one (lint, explain) runs none of its code.
 */
export interface Deferred {
  readonly text: string;
  /** For an array literal, what each element is as far as the text shows (a name or a call: unknown until run). */
  readonly elements: ('function' | 'value' | 'unknown')[] | undefined;
  evaluate(): unknown;
}

/** Parse `text` as a Deferred; throws ExprSyntaxError with a position when it does not parse. */
export function deferExpr(text: string): Deferred {
  const node = exprTree(text);
  return {
    text,
    elements: node.type === 'ArrayExpression' ? (node as Node & { elements: (Node | null)[] }).elements.map(kindOf) : undefined,
    evaluate: () => evaluate(text),
  };
}

/** The syntax tree of an expression that has compiled, without its outer parentheses (for the planner's fusions). */
export function exprTree(text: string): Node {
  return unparenthesized(parseWhole(text));
}

export function unparenthesized(node: Node): Node {
  while (node.type === 'ParenthesizedExpression') node = (node as Node & { expression: Node }).expression;
  return node;
}

function kindOf(node: Node | null): 'function' | 'value' | 'unknown' {
  if (!node) return 'value';
  const inner = unparenthesized(node);
  if (inner.type === 'ArrowFunctionExpression' || inner.type === 'FunctionExpression') return 'function';
  return inner.type === 'Literal' || inner.type === 'ArrayExpression' || inner.type === 'ObjectExpression' || inner.type === 'TemplateLiteral' ? 'value' : 'unknown';
}

function parseWhole(text: string): Node {
  let node: Node;
  try {
    // preserveParens: else a parenthesized expression's node ends before its closing parenthesis
    node = parseExpressionAt(text, 0, { ecmaVersion: 'latest', locations: true, preserveParens: true });
  } catch (err) {
    const e = err as SyntaxError & { loc?: { line: number; column: number } };
    const reason = e.message.replace(/\s*\(\d+:\d+\)$/, '');
    throw new ExprSyntaxError(reason.charAt(0).toLowerCase() + reason.slice(1), e.loc?.line ?? 1, (e.loc?.column ?? 0) + 1);
  }
  const rest = text.slice(node.end);
  const trailing = rest.search(/\S/);
  if (trailing >= 0 && !/^\s*(\/\/[^\n]*|\/\*[\s\S]*?\*\/|\s)*$/.test(rest)) {
    const offset = node.end + trailing;
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    throw new ExprSyntaxError('unexpected text after the expression', line, offset - before.lastIndexOf('\n'));
  }
  return node;
}
