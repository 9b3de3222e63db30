// Output rendering as DESIGN.md §1 specifies it.

import { describe, expect, it } from 'vitest';
import { checkFormat, printHeader, RenderError, renderer, sparkText } from './format.ts';

describe('renderers', () => {
  it('text: strings as is, numbers as decimals, pairs with a TAB, the rest as compact JSON', () => {
    const text = renderer('text');
    expect(['s', 1.5, ['k', 2], ['k', { a: 1 }], [1, 2, 3], { a: [1] }, null].map(text)).toEqual([
      's', '1.5', 'k\t2', 'k\t{"a":1}', '[1,2,3]', '{"a":[1]}', 'null',
    ]);
  });

  it('json: one JSON value per record', () => {
    expect(['s', ['k', 1], undefined].map(renderer('json'))).toEqual(['"s"', '["k",1]', 'null']);
  });

  it('csv quotes where needed; tsv escapes tabs and newlines', () => {
    expect(renderer('csv')(['a,b', 'say "x"', 3])).toBe('"a,b","say ""x""",3');
    expect(renderer('csv')({ n: 'a', v: 1 })).toBe('a,1');
    expect(renderer('tsv')(['a\tb', 'c\nd', 'e\\'])).toBe('a\\tb\tc\\nd\te\\\\');
  });

  it('a Set is an array, a Map an object or pairs, in json and text, nested too', () => {
    const json = renderer('json');
    expect(json(new Set([1, 'a']))).toBe('[1,"a"]');
    expect(json({ s: new Set(), m: new Map([['k', new Set([2])]]) })).toBe('{"s":[],"m":{"k":[2]}}');
    expect(json(new Map<unknown, number>([[{ id: 1 }, 2], ['x', 3]]))).toBe('[[{"id":1},2],["x",3]]');
    expect(renderer('text')(new Map([[1, 'a']]))).toBe('{"1":"a"}');
    // an empty object is still {}, and a string holding {} stays as it is
    expect(json([{}, '{}'])).toBe('[{},"{}"]');
  });

  it('a Promise, a cycle or a BigInt inside a value is a RenderError saying why', () => {
    for (const format of ['json', 'text', 'csv']) {
      expect(() => renderer(format)(Promise.resolve(1))).toThrow(new RenderError('a Promise is not a value: expressions are not awaited, return a plain value'));
      expect(() => renderer(format)([{ p: Promise.resolve(1) }])).toThrow(RenderError);
    }
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => renderer('json')(cycle)).toThrow(/^cannot be written as JSON: Converting circular structure/);
    expect(() => renderer('json')({ n: 1n })).toThrow(/BigInt/);
  });

  it("csv and tsv: objects under the first object's columns, whatever their key order", () => {
    const csv = renderer('csv');
    expect([{ a: 1, b: 2 }, { b: 3, a: 4 }, { a: 5 }, { b: 'x,y', a: undefined }].map(csv)).toEqual(['1,2', '4,3', '5,', ',"x,y"']);
    expect(() => csv({ a: 1, c: 2 })).toThrow(new RenderError("'c' is not one of the columns a, b: name them all with csv:cols=A,B,..."));
    // arrays and scalars keep their fields in order
    expect([['x', 1], 'y'].map(csv)).toEqual(['x,1', 'y']);
    const tsv = renderer('tsv');
    expect([{ a: 'p\tq', b: 1 }, { b: 2, a: 'r' }].map(tsv)).toEqual(['p\\tq\t1', 'r\t2']);
  });

  it('csv:header gives the header once the first record fixes the columns; cols= fixes them before', () => {
    const csv = renderer('csv:header');
    expect(csv.header).toBeDefined();
    expect(csv({ 'a,1': 1, b: 2 })).toBe('1,2');
    expect(csv.header!()).toBe('"a,1",b');
    const cols = renderer('csv:cols=k,n');
    expect(cols.header!()).toBe('k,n');
    expect([{ n: 2, k: 'x' }, ['y', 3]].map(cols)).toEqual(['x,2', 'y,3']);
    expect(() => cols(['y', 3, 4])).toThrow('3 fields where the columns are k, n');
    expect(() => cols({ k: 1, z: 2 })).toThrow(/'z' is not one of the columns k, n/);
    // pairs have no names for a header of their own
    const pairs = renderer('tsv:header');
    expect(pairs(['a', 1])).toBe('a\t1');
    expect(() => pairs.header!()).toThrow(/tsv:header names the columns after the first object's keys.*tsv:cols=A,B/);
    expect(renderer('csv').header).toBeUndefined();
  });

  it('an empty single-field csv record is "", not an empty line', () => {
    expect(['', [''], { a: '' }, [], ['', '']].map(renderer('csv'))).toEqual(['""', '""', '""', '', ',']);
  });

  it('formats as written are checked with a message saying what is wrong', () => {
    expect(() => checkFormat('jsn')).toThrow("'jsn' is not one of text, json, csv, tsv (did you mean 'json'?)");
    expect(() => checkFormat('json:header')).toThrow('json takes no option');
    expect(() => checkFormat('csv:hdr')).toThrow("unknown csv option 'hdr': use csv:header or csv:cols=A,B,...");
    expect(() => checkFormat('csv:cols=a,,b')).toThrow('csv:cols= needs column names');
    expect(() => checkFormat('tsv:cols=a,a')).toThrow("tsv:cols= names 'a' more than once");
    for (const ok of ['text', 'csv:header', 'tsv:cols=a,b']) checkFormat(ok);
  });

  it("print shows pairs as Scala tuples, nested too", () => {
    expect(sparkText(['k', ['v', 'w']])).toBe('(k,(v,w))');
    expect(sparkText(['hello', 2])).toBe('(hello,2)');
    expect(printHeader(1764000000000)).toBe('-------------------------------------------\nTime: 1764000000000 ms\n-------------------------------------------\n');
  });
});
