// The fused field scans end to end: bin/sluice with a map that picks fields of the line (done by the
// source's decoder), or with a CLF record made of only the fields its expressions read, prints the
// same records and writes the same dead letters (or skips as many) as with the whole record decoded,
// over real logs and generated and mutated lines, CLF and NDJSON.

import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clfFields, clfLine, fuzzLines } from './support/codec-lines.ts';
import { jsonLine } from './support/json-lines.ts';
import { ROOT, sluice, tempDir } from './support/cli.ts';

const DATA = join(ROOT, 'test', 'data', 'clf');
const real = readdirSync(DATA)
  .filter((f) => f.endsWith('.log'))
  .flatMap((f) => readFileSync(join(DATA, f), 'utf8').split('\n').filter(Boolean));
const generated = fc.sample(fuzzLines(clfFields.map(clfLine)), { numRuns: 400, seed: 15 }).map((b) => b.toString().replaceAll('\n', ' '));
const input = [...real, ...generated, ...real].join('\n') + '\n';
const ndjson = `${fc.sample(jsonLine, { numRuns: 2000, seed: 15 }).join('\n')}\n`;

/** What sluice prints and refuses for `chain` over `input`, fused or (behind an identity map) not. */
async function outcome(chain: string[], fused: boolean, input: string) {
  const dir = tempDir();
  const at = chain.indexOf('--map');
  const args = fused ? chain : [...chain.slice(0, at), '--map', 'x', ...chain.slice(at)];
  const r = await sluice(['--on-error', `dlq:${join(dir, 'dlq')}`, '--format', 'json', ...args], input);
  let dead = '';
  try {
    dead = readFileSync(join(dir, 'dlq'), 'utf8');
  } catch {
    // no bad record
  }
  return { code: r.code, stdout: r.stdout, dead };
}

describe('fused field scans', () => {
  const chains = [
    ['--parse', 'clf', '--map', 'x.status'],
    ['--parse', 'clf', '--map', 'x.path'],
    ['--parse', 'clf', '--map', '[x.method, x.protocol, x.bytes, x.referer, x.agent, x.extra]'],
    ['--parse', 'clf', '--map', '[x.host, x.ident, x.user, x.time, x.request]'],
    ['--parse', 'split', '--map', 'x[8]'],
    ['--map', 'x.split(" ")[6]'],
  ];
  for (const chain of chains) {
    it(`${chain.join(' ')} gives what the unfused chain gives, dead letters too`, async () => {
      const [fused, plain] = await Promise.all([outcome(chain, true, input), outcome(chain, false, input)]);
      expect(fused.code).toBe(0);
      expect(fused.stdout.split('\n').length).toBeGreaterThan(real.length);
      expect(fused).toEqual(plain);
    });
  }

  for (const chain of [
    ['--parse', 'json', '--map', 'x.a'],
    ['--parse', 'json', '--map', '[x.a, x.b.c, x["a b"], x.c]'],
    ['--parse', 'json', '--map', '[x?.b?.c, x?.é]'],
  ]) {
    it(`${chain.join(' ')} gives what the unfused chain gives, dead letters too`, async () => {
      const [fused, plain] = await Promise.all([outcome(chain, true, ndjson), outcome(chain, false, ndjson)]);
      expect(fused.code).toBe(0);
      expect(fused.stdout.split('\n').length).toBeGreaterThan(300);
      expect(fused.dead.split('\n').length).toBeGreaterThan(50);
      expect(fused).toEqual(plain);
    });
  }
});

describe('CLF records of the fields read', () => {
  // the whole record is decoded behind an identity map (and no projection is made with dead letters)
  const chains = [
    ['--window', '1h', '--event-time', 'x.time', '--watermark', '1h', '--map', 'x.status', '--count-by-value', '--with-time'],
    ['--filter', 'x.status >= 400 || x.method === "HEAD"', '--map', '[x.path, x.bytes + 1, x.extra.length]'],
    ['--window', '2h', '--event-time', 'x["time"]', '--filter', 'x.agent !== null', '--map', '{ p: x.path, h: x.host }', '--count-by-value'],
  ];
  for (const chain of chains) {
    it(`--parse clf ${chain.join(' ')} gives what the whole record gives, and skips as many lines`, async () => {
      const run = (args: string[]) => sluice(['-b', '1h', '--on-error', 'skip', '--format', 'json', '--parse', 'clf', ...args], input);
      const [projected, whole] = await Promise.all([run(chain), run(['--map', 'x', ...chain])]);
      expect(projected.code).toBe(0);
      expect(projected.stdout).not.toBe('');
      expect(projected.stderr).toMatch(/skipped/);
      expect(projected).toEqual(whole);
    });
  }
});
