// What the command line means, end to end through bin/sluice: core flags after a pipeline file,
// globs of pipeline and test files, unordered test cases, initial states from table files, and
// the messages a user sees when something fails.

import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, sluice, tempDir } from './support/cli.ts';

function write(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('core flags after a pipeline file', () => {
  it('--once, -v, --checkpoint and -b override the file as --set does', async () => {
    const dir = tempDir();
    const log = write(dir, 'in.log', 'a\nb\n');
    const file = write(dir, 'p.yaml', `batch: 1h\nsources:\n  a: { in: "tail:${log}?from=start" }\nsinks:\n  - { from: a, out: "-", with-time: true }\n`);
    // without --once a tail: source follows its file for ever; with it the run ends
    const r = await sluice(['run', file, '--once', '-v', '--checkpoint', join(dir, 'ck'), '-b', '2s']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^(\d+)\ta\n\1\tb\n$/);
    expect(Number(r.stdout.split('\t')[0]) % 2000).toBe(0);
    expect(r.stderr).toMatch(/^sluice: batch \d+: 2 in, 2 out, /);
    expect(readdirSync(join(dir, 'ck')).length).toBeGreaterThan(0);
  });

  it('a flag that needs a value says so; unknown flags are refused', async () => {
    const file = write(tempDir(), 'p.yaml', 'sources: { a: { in: "-" } }\nsinks: [{ from: a }]\n');
    expect(await sluice(['run', file, '--checkpoint'])).toMatchObject({ code: 2, stderr: "sluice: error: sluice run: option '--checkpoint <DIR>' argument missing\n" });
    expect((await sluice(['run', file, '--onse'])).code).toBe(2);
  });

  it('--schedule with --once is a usage error, on the command line and in a file', async () => {
    const message = '--once and --schedule: --schedule already makes a --once pass at each tick; give one of them';
    expect(await sluice(['--once', '--schedule', '* * * * *', '-i', 'x.log'])).toMatchObject({ code: 2, stderr: `sluice: error: ${message}\n` });
    const dir = tempDir();
    const plain = write(dir, 'p.yaml', 'sources: { a: { in: x.log } }\nsinks: [{ from: a }]\n');
    expect(await sluice(['run', plain, '--once', '--schedule', '* * * * *'])).toMatchObject({ code: 2, stderr: `sluice: error: ${message}\n` });
    const both = write(dir, 'both.yaml', 'schedule: "* * * * *"\nonce: true\nsources: { a: { in: x.log } }\nsinks: [{ from: a }]\n');
    expect(await sluice(['lint', both])).toMatchObject({ code: 78, stderr: `${both}:2:1: ${message}\n` });
  });
});

describe('globs of pipeline and test files', () => {
  it('lint checks a *.test.yaml as a test file against its pipeline; a glob of the shipped pipelines passes', async () => {
    expect(await sluice(['lint', ...readdirSync(join(ROOT, 'pipelines')).filter((f) => f.endsWith('.yaml')).map((f) => `pipelines/${f}`)])).toMatchObject({ code: 0, stderr: '' });
    const dir = tempDir();
    write(dir, 'p.yaml', 'sources: { lines: { in: "-" } }\nsinks: [{ from: lines }]\n');
    const tests = write(dir, 'p.test.yaml', 'cases:\n  one:\n    ordered: maybe\n    input: { line: [[a]] }\n    expect: { lines: [[a]] }\n');
    expect(await sluice(['lint', join(dir, 'p.yaml'), tests])).toMatchObject({
      code: 78,
      stderr: `${tests}:3:14: cases.one.ordered: needs true or false\n${tests}:4:14: input: no source 'line' (did you mean 'lines'?) (known: lines)\n`,
    });
  });

  it('test takes a test file for its pipeline, and runs each pipeline once', async () => {
    const r = await sluice(['test', 'pipelines/status-counts.yaml', 'pipelines/status-counts.test.yaml']);
    expect(r).toMatchObject({ code: 0, stdout: expect.stringContaining('2 cases: 2 passed, 0 failed') });
  });

  it('a file that cannot be read does not hide the problems of the others (exit 2)', async () => {
    const dir = tempDir();
    const a = write(dir, 'a.yaml', 'sources: { l: { in: "-" } }\nsinks: [{ from: l }]\n');
    const b = write(dir, 'b.yaml', 'sources: { l: { in: "-" } }\nsinks: [{ from: m }]\n');
    const r = await sluice(['lint', a, join(dir, 'missing.yaml'), b]);
    expect(r).toMatchObject({
      code: 2,
      stderr: `${b}:2:17: sinks[0].from: unknown stream 'm' (did you mean 'l'?)\nsluice: error: cannot read ${join(dir, 'missing.yaml')}: no such file\n`,
    });
    expect(await sluice(['test', a])).toMatchObject({ code: 2, stderr: `sluice: error: ${a}: no test file ${join(dir, 'a.test.yaml')} beside it\n` });
  });
});

describe('sluice test: ordered: false', () => {
  const dir = tempDir();
  const pipeline = write(dir, 'w.yaml', 'sources: { l: { in: "-" } }\nstreams:\n  n:\n    from: l\n    ops: [{ map: "[x, 1]" }, { reduce-by-key: a + b }]\nsinks: [{ from: n }]\n');
  const input = '    input: { l: [[b, a, b]] }\n';

  it('compares a batch as a set, per case or per stream; a missing or extra record still fails', async () => {
    write(
      dir,
      'w.test.yaml',
      `cases:\n  case:\n    ordered: false\n${input}    expect: { n: [[[a, 1], [b, 2]]] }\n` +
        `  stream:\n${input}    expect: { n: { ordered: false, batches: [[[a, 1], [b, 2]]] } }\n` +
        `  ordered:\n${input}    expect: { n: [[[a, 1], [b, 2]]] }\n` +
        `  missing:\n    ordered: false\n${input}    expect: { n: [[[a, 1], [b, 2], [c, 1]]] }\n`,
    );
    const r = await sluice(['test', pipeline]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`PASS  ${pipeline}: case\nPASS  ${pipeline}: stream\nFAIL  ${pipeline}: ordered\n`);
    // the unordered diff shows only what differs
    expect(r.stdout).toContain(`FAIL  ${pipeline}: missing\n      n: - expected, + actual\n        batch 1 (time 1000)\n          ["a",1]\n          ["b",2]\n      -   ["c",1]\n`);
    expect(r.stdout).toContain('4 cases: 2 passed, 2 failed\n');
  });
});

describe('--initial-state FILE: rows [k, state]', () => {
  const dir = tempDir();
  const count = (file: string) => sluice(['--map', '[x, 1]', '--update-state', '(values, state) => (values.length ? values.length + (state ?? 0) : state)', '--initial-state', file], 'a\nb\na\n');

  it.each([
    ['csv', 'a,5\nc,"{""n"": 1}"\n', 'a\t7\nc\t{"n":1}\nb\t1\n'],
    ['tsv', 'a\t5\n', 'a\t7\nb\t1\n'],
    ['json', '{"a": 5, "c": {"n": 1}}', 'a\t7\nc\t{"n":1}\nb\t1\n'],
    ['ndjson', '["a", 5]\n', 'a\t7\nb\t1\n'],
  ])('a .%s file gives each key its state', async (ext, text, out) => {
    expect(await count(write(dir, `states.${ext}`, text))).toMatchObject({ code: 0, stdout: out, stderr: '' });
  });

  it('a CSV state that is not JSON stays text; a header or a third column is refused where it is', async () => {
    expect((await count(write(dir, 'text.csv', 'a,x\n'))).stdout).toBe('a\t2x\nb\t1\n');
    const header = write(dir, 'header.csv', 'word,count\na,5\n');
    expect(await count(header)).toMatchObject({ code: 1, stderr: `sluice: error: ${header}:1: 'word', 'count' looks like a header; a file of initial states has none, only KEY,STATE lines\n` });
    const wide = write(dir, 'wide.tsv', 'a\t5\nb\t1\t2\n');
    expect(await count(wide)).toMatchObject({ code: 1, stderr: `sluice: error: ${wide}:2: 3 fields; a line of initial states is KEY<TAB>STATE\n` });
  });
});
