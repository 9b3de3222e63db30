// Malformed input fuzzed into every codec through the real bin/sluice: with --on-error dlq:PATH every
// line comes out as a record or as a dead letter holding the line; without, the run stops at the
// first bad line with `source:line[:column]: reason`. Never a stack trace. One process per codec
// and mode, many lines each.

import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodecError, SKIP } from '../src/io/codecs/codec.ts';
import { createDecoder } from '../src/io/codecs/index.ts';
import { invalidUtf8 } from '../src/runtime/intake.ts';
import { sluice, tempDir } from './support/cli.ts';
import { fuzzLines, WELL_FORMED } from './support/codec-lines.ts';

const SEED = 20261127;
const LINES = 1500;

interface DeadLetter {
  where: string;
  reason: string;
  record: string;
}

/** What sluice must make of `lines` of `file`: records as --format json writes them, dead letters, header lines. */
function expected(spec: string, file: string, lines: string[]): { records: string[]; dead: DeadLetter[]; headers: number } {
  const decode = createDecoder(spec);
  const records: string[] = [];
  const dead: DeadLetter[] = [];
  let headers = 0;
  const take = (text: string, i: number) => {
    try {
      const rec = decode(text);
      if (rec === SKIP) headers++;
      else records.push(JSON.stringify(rec));
    } catch (err) {
      if (!(err instanceof CodecError)) throw err;
      dead.push({ where: `${file}:${i + 1}${err.column ? `:${err.column}` : ''}`, reason: err.message, record: text });
    }
  };
  // a record whose quoted field holds newlines (csv) takes the lines up to where the quote closes
  let open: { text: string; line: number } | undefined;
  lines.forEach((line, i) => {
    if (decode.continues?.(line, 0, line.length, open !== undefined)) {
      open = { text: `${open?.text ?? ''}${line}\n`, line: open?.line ?? i };
      return;
    }
    take((open?.text ?? '') + line, open?.line ?? i);
    open = undefined;
  });
  if (open) take(open.text.slice(0, -1), open.line);
  return { records, dead, headers };
}

const outLines = (text: string) => (text ? text.replace(/\n$/, '').split('\n') : []);

describe.each(Object.entries(WELL_FORMED).flatMap(([name, { specs, line }]) => specs.map((spec) => ({ spec, name, line }))))(
  `--parse $spec, fuzzed end to end (seed ${SEED})`,
  ({ spec, line }) => {
    const dir = tempDir();
    const input = join(dir, 'in.txt');
    // many generated lines, and one of a MiB opened by a quote that never closes: it spans many reads
    const generated = fc.sample(fuzzLines(line), { numRuns: LINES, seed: SEED });
    const bytes = [...generated, Buffer.from(`"${'x'.repeat(1 << 20)}`)];
    writeFileSync(input, Buffer.concat(bytes.flatMap((b) => [b, Buffer.from('\n')])));
    const lines = bytes.map((b) => b.toString('utf8'));
    const want = expected(spec, input, lines);

    it('with dlq: every line is a record or a dead letter holding the line, exit 0', async () => {
      const dlq = join(dir, 'dead.ndjson');
      const r = await sluice(['-i', input, '--parse', spec, '--format', 'json', '--on-error', `dlq:${dlq}`]);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.code).toBe(0);
      const records = outLines(r.stdout);
      const dead = want.dead.length ? outLines(readFileSync(dlq, 'utf8')).map((l) => JSON.parse(l) as DeadLetter) : [];
      // one per line, but for csv, whose records may take several lines
      if (!createDecoder(spec).continues) expect(records.length + dead.length + want.headers).toBe(lines.length);
      expect(dead).toEqual(want.dead);
      expect(records).toEqual(want.records);
      const replaced = invalidUtf8(readFileSync(input));
      const note = replaced ? `sluice: ${input}: ${replaced} bytes not valid UTF-8, replaced by U+FFFD (--encoding latin1 keeps every byte)\n` : '';
      if (dead.length) expect(r.stderr).toBe(`sluice: ${dead.length} bad record${dead.length === 1 ? '' : 's'} written to ${dlq}\n${note}`);
    });

    it('without: the first bad line stops the run with source:line[:column]: reason, exit 1', async () => {
      const r = await sluice(['-i', input, '--parse', spec, '--format', 'json']);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      const first = want.dead[0];
      if (!first) {
        expect(r.code).toBe(0);
        expect(outLines(r.stdout)).toEqual(want.records);
        return;
      }
      expect(r.code).toBe(1);
      // and how many bytes read up to there were not UTF-8
      expect(r.stderr.replace(/^sluice: .*: \d+ bytes? not valid UTF-8, .*\n/m, '')).toBe(`sluice: error: ${first.where}: ${first.reason}\n`);
      // nothing of the failed batch: what was written is the output of whole batches before it
      const written = outLines(r.stdout);
      expect(written).toEqual(want.records.slice(0, written.length));
    });
  },
);
