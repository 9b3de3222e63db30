// Fuzzing every codec of the registry: any line, however broken, decodes or fails with a CodecError
// whose column lies in the line and whose reason is one short, printable line; well-formed lines
// decode to what they were made of, with a CRLF ending too.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clfFields, clfLine, csvField, fuzzLines, WELL_FORMED } from '../../../test/support/codec-lines.ts';
import { CodecError, type Decode } from './codec.ts';
import { CODECS, createDecoder } from './index.ts';

const RUNS = 1000;

/** A decoder for `spec`, past its header line for the `:header` ones. */
function decoder(spec: string, header = ['h1', 'h2']): Decode {
  const decode = createDecoder(spec);
  if (spec.endsWith(':header')) decode(header.join(spec.startsWith('tsv') ? '\t' : ','));
  return decode;
}

/** Decode, or fail only as a codec may: a CodecError with a clean reason and a column in the line. */
function decodeOrReject(spec: string, line: string): void {
  try {
    decoder(spec)(line);
  } catch (err) {
    if (!(err instanceof CodecError)) throw new Error(`${spec} threw ${String(err)} for ${JSON.stringify(line.slice(0, 200))}`);
    expect(err.message).toMatch(/^[^\x00-\x1f\x7f]{1,200}$/);
    if (err.column !== undefined) {
      expect(Number.isInteger(err.column)).toBe(true);
      expect(err.column).toBeGreaterThanOrEqual(1);
      expect(err.column).toBeLessThanOrEqual(line.length + 1);
    }
  }
}

const crlf = fc.constantFrom('', '\r');

describe('every codec, fuzzed', () => {
  it('covers every codec of the registry', () => {
    expect(Object.keys(WELL_FORMED).sort()).toEqual(CODECS.map((c) => c.name).sort());
  });

  for (const [name, { specs, line }] of Object.entries(WELL_FORMED)) {
    for (const spec of specs) {
      it(`${spec} decodes any line or rejects it with a CodecError (${name})`, () => {
        fc.assert(
          fc.property(fuzzLines(line), (bytes) => decodeOrReject(spec, bytes.toString('utf8'))),
          { numRuns: RUNS },
        );
      });
    }
  }
});

describe('well-formed lines decode to what they were made of', () => {
  const field = fc.string({ unit: fc.constantFrom('a', ' ', ',', '"', '\r', '\t', 'é', '\0'), maxLength: 8 });

  it('json, with a CRLF ending too', () => {
    fc.assert(
      fc.property(fc.jsonValue(), crlf, (value, end) => {
        const text = JSON.stringify(value);
        expect(createDecoder('json')(text + end)).toEqual(JSON.parse(text));
      }),
      { numRuns: RUNS },
    );
  });

  it('csv with RFC 4180 quoting, tsv, split on a separator and on blanks, with a CRLF ending too', () => {
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 6 }), crlf, (fields, end) => {
        expect(createDecoder('csv')(fields.map(csvField).join(',') + end)).toEqual(fields);
        const plain = fields.map((f) => f.replace(/[\t\r]/g, ''));
        expect(createDecoder('tsv')(plain.join('\t') + end)).toEqual(plain);
        const noComma = fields.map((f) => f.replaceAll(',', ''));
        expect(createDecoder('split:,')(noComma.join(','))).toEqual(noComma);
        const words = fields.map((f) => f.replace(/[ \t\r]/g, '')).filter(Boolean);
        expect(createDecoder('split')(` ${words.join(' \t ')}\t`)).toEqual(words);
      }),
      { numRuns: RUNS },
    );
  });

  it('csv:header and tsv:header name every field, whatever the names', () => {
    const name = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty'), fc.string({ unit: fc.constantFrom('a', 'b', '_'), minLength: 1, maxLength: 4 }));
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 6 }), fc.constantFrom('csv:header', 'tsv:header'), crlf, (names, spec, end) => {
        const values = names.map((_, i) => `v${i}`);
        const row = decoder(spec, names)(values.join(spec === 'csv:header' ? ',' : '\t') + end) as Record<string, string>;
        expect(Object.keys(row)).toEqual(names);
        expect(Object.values(row)).toEqual(values);
      }),
      { numRuns: RUNS },
    );
  });

  it('clf, with a CRLF ending too', () => {
    fc.assert(
      fc.property(clfFields, crlf, (r, end) => {
        const rec = createDecoder('clf')(clfLine(r) + end);
        const escaped = (s: string) => s.replace(/["\\]/g, (c) => `\\${c}`);
        expect(rec).toMatchObject({ host: r.host, user: r.user, method: r.method, path: r.path, status: r.status, referer: escaped(r.referer), agent: escaped(r.agent) });
        expect((rec as { bytes: number }).bytes).toBe(r.bytes === '-' ? 0 : r.bytes);
      }),
      { numRuns: RUNS },
    );
  });
});
