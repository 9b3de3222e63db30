// The value vocabulary: one check and one message per kind, whatever writes the value.

import { describe, expect, it } from 'vitest';
import { checkValue, defaultValue, valueSchema, type Field } from './values.ts';

const field = (value: Field['value'], extra: Partial<Field> = {}): Field => ({ name: 'f', value, summary: 's', ...extra });

describe('checkValue', () => {
  it('whole numbers with bounds, from text or numbers', () => {
    const n = field({ kind: 'int', min: 1, max: 10 });
    expect(checkValue(n, '3')).toEqual({ value: 3 });
    expect(checkValue(n, 10)).toEqual({ value: 10 });
    for (const bad of ['0', '11', '1.5', 'x', '', ' ']) expect(checkValue(n, bad)).toEqual({ error: `needs a whole number >= 1 and <= 10, not '${bad}'` });
    expect(checkValue(field({ kind: 'int', min: 0 }), '-1')).toEqual({ error: "needs a whole number >= 0, not '-1'" });
  });

  it('durations are exact: no blanks around them', () => {
    const d = field({ kind: 'duration' });
    expect(checkValue(d, '1.5s')).toEqual({ value: 1500 });
    expect(checkValue(d, ' 1s')).toHaveProperty('error', "bad duration ' 1s': use a number and a unit, e.g. 250ms, 10s, 5m, 1h");
  });

  it('sizes in bytes with coreutils suffixes', () => {
    const z = field({ kind: 'size', min: 1 });
    const sizes: [string | number, number][] = [['4096', 4096], [4096, 4096], ['64K', 65536], ['64KiB', 65536], ['10MB', 10_000_000], ['2M', 2 ** 21], ['1GiB', 2 ** 30], ['1GB', 1e9]];
    for (const [text, bytes] of sizes) expect(checkValue(z, text)).toEqual({ value: bytes });
    for (const bad of ['0', '1.5M', '10 MB', 'M', '-1', '5T']) expect(checkValue(z, bad)).toEqual({ error: `needs a size in bytes (at least 1) such as 64M, 10MB or 4096, not '${bad}'` });
  });

  it('windows against the batch interval', () => {
    const w = field({ kind: 'window' });
    expect(checkValue(w, '4s/2s', { batchMs: 2000 })).toEqual({ value: { lengthMs: 4000, slideMs: 2000 } });
    expect(checkValue(w, '3s', { batchMs: 2000 })).toEqual({ error: 'window length 3s is not a multiple of the batch interval 2s; use 2s or 4s' });
  });

  it('choices suggest the nearest', () => {
    expect(checkValue(field({ kind: 'choice', choices: ['json', 'text'] }), 'jsn')).toEqual({ error: "'jsn' is not one of json, text (did you mean 'json'?)" });
  });

  it('expressions compile, with the place of a syntax error', () => {
    const e = field({ kind: 'expr', role: 'record' });
    expect((checkValue(e, 'x + 1') as { value: (x: number) => number }).value(1)).toBe(2);
    expect(checkValue(e, 'x.(')).toMatchObject({ error: 'syntax error: unexpected token at column 3', at: { line: 1, column: 3 } });
  });

  it('flags, bare operators and missing values', () => {
    expect(checkValue(field({ kind: 'flag' }), 'true')).toEqual({ value: true });
    expect(checkValue(field({ kind: 'flag' }), null)).toEqual({ value: false });
    expect(checkValue(field({ kind: 'flag' }), 'yes')).toEqual({ error: 'needs true or false, not "yes"' });
    expect(checkValue(field({ kind: 'none' }), 'x')).toEqual({ error: 'takes no argument' });
    expect(checkValue(field({ kind: 'duration', metavar: 'DUR' }), true)).toEqual({ error: 'needs an argument DUR' });
    expect(checkValue(field({ kind: 'path' }), [1])).toEqual({ error: 'needs PATH, not [1]' });
    expect(checkValue(field({ kind: 'path' }), '')).toEqual({ error: 'needs a non-empty value' });
  });

  it('a check of its own after the kind', () => {
    const f = field({ kind: 'string' }, { check: (t) => { if (t !== 'ok') throw new Error(`'${t}' is not ok`); } });
    expect(checkValue(f, 'ok')).toEqual({ value: 'ok' });
    expect(checkValue(f, 'no')).toEqual({ error: "'no' is not ok" });
  });
});

describe('defaults and schema', () => {
  it('a default goes through the same check', () => {
    expect(defaultValue(field({ kind: 'duration' }, { default: '250ms' }))).toBe(250);
    expect(defaultValue(field({ kind: 'flag' }))).toBe(false);
  });

  it('the schema says what the check accepts', () => {
    expect(valueSchema(field({ kind: 'int', min: 1 }))).toEqual({ description: 's', type: ['integer', 'string'], minimum: 1 });
    expect(valueSchema(field({ kind: 'choice', choices: ['a', 'b'] }, { default: 'a' }))).toEqual({ description: 's', default: 'a', enum: ['a', 'b'] });
  });
});
