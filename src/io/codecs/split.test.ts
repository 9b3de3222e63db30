// The fused field scan must give exactly what splitting the line and indexing would.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fieldDecoder, splitBlanks } from './split.ts';

const line = fc.array(fc.constantFrom('a', 'bc', ' ', '\t', ',', ', '), { maxLength: 20 }).map((parts) => parts.join(''));

describe('fieldDecoder', () => {
  it('equals splitBlanks(line)[n] inside any surrounding text', () => {
    fc.assert(
      fc.property(line, fc.nat(6), line, (text, n, after) => {
        const chunk = `${text}\n${after}`;
        expect(fieldDecoder(undefined, n)(chunk, 0, text.length)).toBe(splitBlanks(text)[n]);
      }),
    );
  });

  it('equals splitBlanks(line)[n] for the lines of many texts, read in order as the intake does', () => {
    fc.assert(
      fc.property(fc.array(fc.array(line, { minLength: 1, maxLength: 5 }), { maxLength: 5 }), fc.nat(6), (texts, n) => {
        const decode = fieldDecoder(undefined, n);
        for (const lines of texts) {
          const text = lines.join('\n');
          let start = 0;
          for (const l of lines) {
            expect(decode(text, start, start + l.length)).toBe(splitBlanks(l)[n]);
            start += l.length + 1;
          }
        }
      }),
    );
  });

  it('equals line.split(sep)[n] for a separator', () => {
    fc.assert(
      fc.property(line, fc.nat(6), fc.constantFrom(',', ', ', '\t'), (text, n, sep) => {
        const chunk = `x${text}${sep}tail`;
        expect(fieldDecoder(sep, n)(chunk, 1, 1 + text.length)).toBe(text.split(sep)[n]);
      }),
    );
  });
});
