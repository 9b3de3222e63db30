// Fuzzing the loader with random mutations of the example pipelines (and of their test files):
// whatever the bytes, it returns a spec or positioned problems, and never throws.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TestFile } from './cases.ts';
import { loadPipeline } from './load.ts';

const DIR = join(import.meta.dirname, '../../pipelines');
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join(DIR, f), 'utf8'));

// pieces that matter to YAML and to the checks after it
const TOKENS = [':', '-', ' ', '\n', '  ', '[', ']', '{', '}', ',', '"', "'", '|', '>', '#', '&a', '*a', '!!str ', '${X}', '$${', '${', 'from', 'ops', 'window: 7s', 'join: x', '\t', '\u0000', 'é'];

/** Replace, insert or delete short pieces of the text, or swap two of its lines. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('replace'), at: fc.nat(), length: fc.nat(8), text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 4 })) }),
  fc.record({ kind: fc.constant('swap'), at: fc.nat(), length: fc.nat(), text: fc.constant('') }),
);

function mutate(text: string, steps: { kind: string; at: number; length: number; text: string }[]): string {
  for (const m of steps) {
    if (m.kind === 'swap') {
      const lines = text.split('\n');
      const [i, j] = [m.at % lines.length, m.length % lines.length];
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      text = lines.join('\n');
    } else {
      const at = m.at % (text.length + 1);
      text = text.slice(0, at) + m.text + text.slice(at + m.length);
    }
  }
  return text;
}

describe('the loader under random mutations', () => {
  it('never throws: a spec or a list of positioned problems', () => {
    fc.assert(
      fc.property(fc.constantFrom(...files), fc.array(mutation, { minLength: 1, maxLength: 6 }), (text, steps) => {
        const mutated = mutate(text, steps);
        const r = loadPipeline('f.yaml', mutated, { env: { X: 'x' } });
        if (!r.plan?.spec) {
          expect(r.problems.length).toBeGreaterThan(0);
          for (const p of r.problems) expect(p).toMatch(/^(f\.yaml:\d+:\d+|--set[^:]*): \S/);
        }
        const tests = new TestFile('f.test.yaml', mutated);
        for (const p of tests.problems(r.plan?.spec)) expect(p).toMatch(/^f\.test\.yaml:\d+:\d+: \S/);
      }),
      { numRuns: 1500 },
    );
  });
});
