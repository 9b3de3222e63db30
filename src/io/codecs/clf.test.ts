// The CLF scanner against the regular expressions that define the format: every line, generated,
// mutated or real, decodes to the same record or is refused with the same reason, and a fused field
// decoder reading lines in place gives what `--parse clf --map` would.

import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clfFields, clfLine, fuzzLines } from '../../../test/support/codec-lines.ts';
import { CLF_FIELDS, ClfScanner, clfFieldsDecoder, clfOffsets, cutClf, parseClf, type ClfField } from './clf.ts';

const RUNS = 2000;
const NAMES = Object.keys(CLF_FIELDS) as ClfField[];

/** What the regular expressions alone make of a line. */
function byRegex(line: string): Record<string, unknown> {
  const at = clfOffsets();
  const text = cutClf(line, at);
  return Object.fromEntries(NAMES.map((n) => [n, CLF_FIELDS[n](text, at)]));
}

const outcome = (f: () => unknown) => {
  try {
    return { value: f() };
  } catch (err) {
    return { error: (err as Error).message, column: (err as { column?: number }).column };
  }
};

/** Near-CLF lines built from the cases that tell the scanner and the expressions apart. */
const pick = (...cases: string[]) => fc.constantFrom(...cases);
const nearClf = fc
  .tuple(
    pick('1.2.3.4', 'h\u00a0st', 'höst', 'h\vx', 'h\u3000', '\ufeffh', '', 'a"b', 'a[b'),
    pick('-', 'id', ''),
    pick('-', 'frank', 'u\fx', 'u]'),
    pick('10/Oct/2000:13:55:36 -0700', '', 'a"b', 'x y'),
    pick('GET /a HTTP/1.1', 'GET /a', 'GET', '', 'GET  HTTP/1.1', 'GET /a b HTTP/1.0', 'GET /a HTTP/', 'GET /a HTTP/1.1 HTTP/2', 'G\u00e9T /p HTTP/1.1', 'GET /\u2028 HTTP/1.1', 'GET /\r HTTP/1.1', 'G\u2009T / HTTP/1.1', 'GET /\u00a0 HTTP/1.1', ' GET /a', 'GET 1.1', 'GET / HTTP/1.1x', 'GET /\\" HTTP/1.1'),
    pick('200', '-', '20', '2000', 'abc', '099'),
    pick('2326', '-', '', '0012', '1234567890123456789', '-5', '12x'),
    pick('', ' "-" "Mozilla/5.0 (X11)"', ' "r" "a" "xff"', ' "r" "a" rt=0.1 uct="-"', ' "r"', ' r "a"', ' "r" "a', ' "r"x "a"', '  "r"  "a"  ', ' "r"\t"a"', ' "r" "a"\r', ' "" ""', ' "r\\"" "a"', ' bare', ' "r" "a" ""', ' "a b" c'),
  )
  .map(([host, ident, user, time, request, status, bytes, tail]) => `${host} ${ident} ${user} [${time}] "${request}" ${status} ${bytes}${tail}`);

const lines = fc.oneof(nearClf, clfFields.map(clfLine), fuzzLines(fc.oneof(nearClf, clfFields.map(clfLine))).map((b) => b.toString()));

const realLines = fs
  .readdirSync(path.join(import.meta.dirname, '../../../test/data/clf'))
  .filter((f) => f.endsWith('.log'))
  .flatMap((f) => fs.readFileSync(path.join(import.meta.dirname, '../../../test/data/clf', f), 'utf8').split('\n').filter(Boolean));

describe('clf', () => {
  it('decodes every line as the regular expressions do, or refuses it with the same reason and column', () => {
    fc.assert(
      fc.property(lines, (line) => {
        expect(outcome(() => parseClf(line))).toEqual(outcome(() => byRegex(line)));
      }),
      { numRuns: RUNS },
    );
    for (const line of realLines) expect(outcome(() => parseClf(line))).toEqual(outcome(() => byRegex(line)));
  });

  it('scans the lines most logs hold without the regular expressions', () => {
    const scanner = new ClfScanner(true);
    const scanned = (line: string) => scanner.scan(line, 0, line.length, clfOffsets());
    // the real lines left to the expressions: an unterminated agent, no ident, two with escaped quotes, quotes inside a bare field
    expect(realLines.filter((l) => !scanned(l))).toHaveLength(5);
    // and of generated ones, those with an escape in the referer or agent or not ASCII in the host or user
    fc.assert(fc.property(clfFields, (r) => !scanned(clfLine(r)) === (/["\\]/.test(r.referer + r.agent) || /[^\x21-\x7e]/.test(r.host + r.user))));
  });

  it('a fused field decoder gives what the record gives, for generated and real lines of texts read in order', () => {
    const fields = fc.uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(fc.array(fc.array(fc.oneof(lines, fc.constantFrom(...realLines)), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }), fields, fc.boolean(), (texts, names, asArray) => {
        const decode = clfFieldsDecoder(asArray ? names : names.slice(0, 1), asArray);
        const want = (rec: Record<string, unknown>) => (asArray ? names.map((n) => rec[n]) : rec[names[0]!]);
        for (const ls of texts) {
          const text = ls.map((l) => l.replaceAll('\n', ' ')).join('\n');
          let start = 0;
          for (const line of text.split('\n')) {
            expect(outcome(() => decode(text, start, start + line.length))).toEqual(outcome(() => want(parseClf(line) as unknown as Record<string, unknown>)));
            start += line.length + 1;
          }
        }
      }),
      { numRuns: RUNS / 4 },
    );
  });
});
