// Expressions: bare forms with their role's names, arrow functions, positioned syntax errors.

import { describe, expect, it } from 'vitest';
import { compileExpr, deferExpr, evaluate, ExprSyntaxError, setBatchTime } from './expr.ts';

describe('compileExpr', () => {
  it("binds each role's names", () => {
    expect(compileExpr('x * 2', 'record')(21)).toBe(42);
    expect(compileExpr('k + ":" + v', 'record')(['a', 1])).toBe('a:1');
    expect(compileExpr('k', 'record')('not a pair')).toBeUndefined();
    expect(compileExpr('a + b', 'reduce')(1, 2)).toBe(3);
    expect(compileExpr('x + v', 'value')(2, 'k')).toBe(4);
    expect(compileExpr('values.length + (state ?? 0)', 'state')([1, 2], 10)).toBe(12);
  });

  it("calls an arrow or function expression with the role's arguments in order", () => {
    expect(compileExpr('(a, b) => a * b', 'reduce')(3, 4)).toBe(12);
    expect(compileExpr('function (s) { return s.length }', 'record')('abc')).toBe(3);
  });

  it('reports syntax errors with line and column', () => {
    const at = (text: string) => {
      try {
        compileExpr(text, 'record');
      } catch (err) {
        const e = err as ExprSyntaxError;
        return [e.line, e.column, e.reason];
      }
    };
    expect(at('x.(')).toEqual([1, 3, 'unexpected token']);
    expect(at('x y')).toEqual([1, 3, 'unexpected text after the expression']);
    expect(at('x +\n  )')).toEqual([2, 3, 'unexpected token']);
    expect(() => compileExpr('x // a comment', 'record')).not.toThrow();
  });

  it('defers constants: parsed when checked, evaluated only when asked', () => {
    const g = globalThis as { evaluated?: number };
    g.evaluated = 0;
    const deferred = deferExpr('[globalThis.evaluated++, (c, v) => c + v, f, (g)]');
    expect(g.evaluated).toBe(0);
    expect(deferred.elements).toEqual(['unknown', 'function', 'unknown', 'unknown']);
    expect(deferExpr('[1, x => x, "s"]').elements).toEqual(['value', 'function', 'value']);
    expect(deferExpr('f()').elements).toBeUndefined();
    expect(() => deferExpr('[1,')).toThrow(ExprSyntaxError);
    expect(() => deferred.evaluate()).toThrow(ReferenceError); // f is not defined, once it runs
    expect(g.evaluated).toBe(1);
    delete g.evaluated;
  });

  it('compiles a function expression without running any of it', () => {
    const g = globalThis as { ran?: boolean };
    const fn = compileExpr('(x = (globalThis.ran = true)) => x', 'record');
    expect(g.ran).toBeUndefined();
    expect(fn(1)).toBe(1);
  });

  it('gives every expression the batch time as t, as it moves', () => {
    const before = setBatchTime(5000);
    const bare = compileExpr('t + x', 'record');
    const arrow = compileExpr('(values, state) => values.length ? t + (state ?? 0) : state', 'state');
    const [create] = evaluate('[(v) => [v, t]]') as [(v: unknown) => unknown];
    expect([bare(1), arrow([1], 10), arrow([], 10), create('a')]).toEqual([5001, 5010, 10, ['a', 5000]]);
    setBatchTime(6000);
    expect([bare(1), arrow([1], undefined), create('a')]).toEqual([6001, 6000, ['a', 6000]]);
    // a property named t is the record's, and a parameter t shadows the batch time
    expect(compileExpr('x.t', 'record')({ t: 1 })).toBe(1);
    expect(compileExpr('(t) => t', 'record')(2)).toBe(2);
    setBatchTime(before);
  });
});
