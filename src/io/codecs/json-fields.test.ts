// The fused JSON field scan must give exactly what JSON.parse and the expression give, for any line:
// the same values of the same types, undefined for a missing field, and a line JSON.parse refuses
// (or the expression throws on) left to the general way.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonLine } from '../../../test/support/json-lines.ts';
import { jsonFieldsDecoder, type JsonPath } from './json-fields.ts';

/** What `JSON.parse(line)` then `x.a.b` (or the array of several) gives, or the error it throws. */
function general(paths: JsonPath[], asArray: boolean) {
  const pick = (x: unknown, path: JsonPath) => path.reduce((o: any, name) => o[name], x);
  return (line: string) => {
    const x = JSON.parse(line);
    return asArray ? paths.map((p) => pick(x, p)) : pick(x, paths[0]!);
  };
}

const outcome = (f: () => unknown) => {
  try {
    return { value: f() };
  } catch (err) {
    return { error: String(err) };
  }
};

const PATHS: { paths: JsonPath[]; asArray: boolean }[] = [
  { paths: [['a']], asArray: false },
  { paths: [['a'], ['b']], asArray: true },
  { paths: [['é'], ['a b'], [''], ['c']], asArray: true },
  { paths: [['a'], ['a']], asArray: true },
  { paths: [['a', 'b']], asArray: false },
  { paths: [['a'], ['a', 'c'], ['b', 'a', 'a']], asArray: true },
];

describe('jsonFieldsDecoder', () => {
  it('reads the fields of the lines JSON writers write, without the general way', () => {
    let generalCalls = 0;
    const decode = jsonFieldsDecoder([['a'], ['b'], ['c'], ['d']], true, () => generalCalls++);
    const lines = ['{"a":1,"b":"x","c":true}', '{"a": -0.5e2, "b": "é💥", "c": null}', '{"b":"x","a":[1,{"y":2}],"c":{"z":"\\n"}}', '{}', '{"a":1,"a":2}\r'];
    const text = `${lines.join('\n')}\n`;
    let start = 0;
    const got = lines.map((line) => {
      const value = decode(text, start, start + line.length);
      start += line.length + 1;
      return value;
    });
    expect(got).toEqual([
      [1, 'x', true, undefined],
      [-50, 'é💥', null, undefined],
      [[1, { y: 2 }], 'x', { z: '\n' }, undefined],
      [undefined, undefined, undefined, undefined],
      [2, undefined, undefined, undefined],
    ]);
    expect(generalCalls).toBe(0);
  });

  it('reads numbers of every shape as JSON.parse does, in flat lines and in others', () => {
    const decode = jsonFieldsDecoder([['a']], false, () => 'general');
    const numbers = ['0', '-0', '-0.0', '7', '-12', '1.5', '1e5', '1E+2', '2.5e-3', '123456789012345', '-999999999999999', '1234567890123456', '9007199254740993', '18446744073709551615', '12345678901234567890123', '25904265231387397', '884130556015558590', '1e400', '-1e-400', '0.1e1'];
    for (const n of numbers) {
      for (const line of [`{"a":${n}}`, `{"a": ${n}, "b":[]}`, `{ "a" :${n} }`]) expect(Object.is(decode(line, 0, line.length), JSON.parse(line).a), line).toBe(true);
    }
  });

  it('reads a text of very many lines, and a line longer than a check takes', () => {
    const decode = jsonFieldsDecoder([['a']], false, () => 'general');
    const many = '{"a":2}\n'.repeat(2_000_000); // once one check: more backtracking than the engine's stack holds
    expect(decode(many, 0, 7)).toBe(2);
    expect(decode(many, 8 * 1_999_999, 8 * 2_000_000 - 1)).toBe(2);
    const wide = `{${Array.from({ length: 100_000 }, (_, i) => `"k${i}":"${i}"`).join(',')},"a":3}`;
    expect(decode(`${wide}\n${wide}`, 0, wide.length)).toBe(3);
  });

  it('leaves to the general way a line that is not an object, or whose path goes through something else', () => {
    const decode = jsonFieldsDecoder([['a', 'b']], false, (line) => `general ${line}`);
    for (const line of ['', '[1]', '5', '{"a":5}', '{"b":{"b":1}}', '{"a":{"b":1},"a":"x"}', '{"\\u0061":{"b":1}}', '{"a":{"b":1}', '{"a":{"b":01}}']) {
      expect(decode(line, 0, line.length)).toBe(`general ${line}`);
    }
    const twice = '{"a":{"b":{"c":[]}},"a":{"b":3}}';
    expect(decode(twice, 0, twice.length)).toBe(3);
  });

  for (const { paths, asArray } of PATHS) {
    const name = asArray ? `[${paths.map((p) => `x.${p.join('.')}`).join(', ')}]` : `x.${paths[0]!.join('.')}`;
    it(`gives what JSON.parse and ${name} give, line by line in a text as the intake reads it`, () => {
      const reference = general(paths, asArray);
      const decode = jsonFieldsDecoder(paths, asArray, reference);
      fc.assert(
        fc.property(fc.array(jsonLine, { minLength: 1, maxLength: 8 }), fc.boolean(), (lines, lastNewline) => {
          const text = lines.join('\n') + (lastNewline ? '\n' : '');
          let start = 0;
          for (const line of lines) {
            expect(outcome(() => decode(text, start, start + line.length)), line).toEqual(outcome(() => reference(line)));
            start += line.length + 1;
          }
        }),
        { numRuns: 2000 },
      );
    });
  }

  it('gives what JSON.parse gives for texts of lines with the same keys, some spaced, reordered, short of one or broken', () => {
    const key = fc.constantFrom('a', 'b.c', '(x)*', '$', 'é', 'a b', '', 'ms');
    const value = fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
    // 'quote' and 'backslash' put one in the middle of the first key: JSON.parse refuses the line, whatever a key's characters match
    const change = fc.constantFrom('none', 'none', 'none', 'spaced', 'reversed', 'shorter', 'cut', 'quote', 'backslash');
    const text = fc.uniqueArray(key, { minLength: 1, maxLength: 4 }).chain((keys) =>
      fc.tuple(fc.constant(keys), fc.array(fc.tuple(fc.array(value, { minLength: keys.length, maxLength: keys.length }), change), { minLength: 1, maxLength: 12 })),
    );
    fc.assert(
      fc.property(text, ([keys, rows]) => {
        const lines = rows.map(([values, how]) => {
          const members = keys.map((k, i) => `${JSON.stringify(k)}:${how === 'spaced' ? ' ' : ''}${JSON.stringify(values[i])}`);
          if (how === 'reversed') members.reverse();
          if (how === 'shorter') members.pop();
          const line = `{${members.join(how === 'spaced' ? ', ' : ',')}}`;
          if (how === 'cut') return line.slice(0, -1);
          if ((how === 'quote' || how === 'backslash') && keys[0]!.length > 2) return `${line.slice(0, 3)}${how === 'quote' ? '"' : '\\'}${line.slice(4)}`;
          return line;
        });
        const paths = keys.map((k) => [k]);
        const reference = general(paths, true);
        const decode = jsonFieldsDecoder(paths, true, reference);
        const all = `${lines.join('\n')}\n`;
        let start = 0;
        for (const line of lines) {
          expect(outcome(() => decode(all, start, start + line.length)), line).toEqual(outcome(() => reference(line)));
          start += line.length + 1;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('reads most generated objects without the general way', () => {
    let generalCalls = 0;
    const decode = jsonFieldsDecoder([['a'], ['b']], true, () => generalCalls++);
    const lines = fc.sample(jsonLine, { numRuns: 2000, seed: 7 });
    for (const line of lines) decode(line, 0, line.length);
    expect(generalCalls).toBeLessThan(lines.length / 2);
  });
});
