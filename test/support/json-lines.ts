// NDJSON lines to test the fused JSON field scan with: objects written as JSON writers write them and
// otherwise (blanks anywhere, escaped keys and strings, unicode, numbers of every shape, duplicate
// keys, nested values), and as nobody should (invalid numbers, escapes, literals, control characters,
// missing commas and braces), some not objects at all. Never a newline: each is one line.

import fc from 'fast-check';

/** The names the tests read; the lines use them as keys most of the time. */
export const FIELD_NAMES = ['a', 'b', 'c', 'é', 'a b', ''];

const blank = fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(' ', '\t', '\r', '  ') });

const number = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('0', '-0', '7', '-12', '1.5', '1e5', '1E+2', '2.5e-3', '-0.0', '0.1', '123456789012345', '1234567890123456789', '9007199254740993', '25904265231387397', '1e400', '-1e-400') },
  { weight: 3, arbitrary: fc.double().filter(Number.isFinite).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('01', '1.', '.5', '+1', '1e', '-', '00', '1e+', '0x1', 'NaN', 'Infinity') },
);

/** The inside of a string: plain text, escapes (some not JSON's) and characters JSON does not allow there. */
const stringBody = fc
  .array(
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('a', 'b', 'é', '💥', ' ', ':', ',', '{', '}', '[', '\u2028', '\ud800') },
      { weight: 3, arbitrary: fc.constantFrom('\\"', '\\\\', '\\/', '\\n', '\\t', '\\u0041', '\\u00e9', '\\ud83d\\udca5', '\\udc00', '"a":1') },
      { weight: 1, arbitrary: fc.constantFrom('"', '\\', '\\x', '\\u12', '\t', '\u0000', '\u001f') },
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''));

const string = stringBody.map((s) => `"${s}"`);

/** A key: mostly a name the tests read, sometimes one escaped (`"\u0061"` is "a") or any string. */
const key = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FIELD_NAMES).map((n) => JSON.stringify(n)) },
  { weight: 1, arbitrary: fc.constantFrom('"\\u0061"', '"\\u0062"', '"__proto__"', '"constructor"') },
  { weight: 1, arbitrary: string },
);

const { value } = fc.letrec<{ value: string; object: string; array: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    number,
    string,
    fc.constantFrom('true', 'false', 'null', 'tru', 'nul', 'True'),
    tie('object'),
    tie('array'),
  ),
  object: fc
    .array(fc.tuple(blank, key, blank, blank, tie('value'), blank), { maxLength: 5 })
    .map((members) => `{${members.map(([b1, k, b2, b3, v, b4]) => `${b1}${k}${b2}:${b3}${v}${b4}`).join(',')}}`),
  array: fc.array(fc.tuple(blank, tie('value')), { maxLength: 3 }).map((items) => `[${items.map(([b, v]) => b + v).join(',')}]`),
}));

/** An object line as a JSON writer writes it: JSON.stringify's, or Python's json.dumps (a space after each colon and comma). */
const written = fc.tuple(fc.dictionary(fc.constantFrom(...FIELD_NAMES), fc.jsonValue({ maxDepth: 2 })), fc.boolean()).map(([o, spaced]) =>
  spaced ? `{${Object.entries(o).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}` : JSON.stringify(o),
);

/** A mutation: a character JSON cares about put in, or one taken out. */
const mutated = fc.tuple(value, fc.nat(), fc.constantFrom('', '"', ',', ':', '{', '}', '[', ']', '\\', ' ', '0', '\u0000')).map(([line, at, c]) => {
  const i = line.length ? at % line.length : 0;
  return c ? line.slice(0, i) + c + line.slice(i) : line.slice(0, i) + line.slice(i + 1);
});

/** One line of NDJSON, well-formed or not; objects (with duplicate keys too) most of the time. */
export const jsonLine: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 4, arbitrary: written },
    { weight: 4, arbitrary: value.filter((v) => v.startsWith('{')) },
    { weight: 2, arbitrary: mutated },
    { weight: 1, arbitrary: value },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\r', '{}', '[]', 'null', '"a"', '{"a":{"b":1},"a":{"c":2}}', '{"a":1,"a":"x"}', '{"a":1}{"a":2}', '{"a":1}x') },
  )
  .chain((line) => blank.chain((before) => blank.map((after) => before + line + after)));
