// Output rendering as DESIGN.md §1 specifies it.

import { describe, expect, it } from 'vitest';
import { printHeader, renderer, sparkText } from './format.ts';

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

  it("print shows pairs as Scala tuples, nested too", () => {
    expect(sparkText(['k', ['v', 'w']])).toBe('(k,(v,w))');
    expect(sparkText(['hello', 2])).toBe('(hello,2)');
    expect(printHeader(1764000000000)).toBe('-------------------------------------------\nTime: 1764000000000 ms\n-------------------------------------------\n');
  });
});
