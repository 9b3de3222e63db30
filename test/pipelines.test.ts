// Pipeline files end to end through the real bin/sluice: every example's test cases, `run`,
// `explain` giving the same output as the flag chain for every operator, `test` reporting failures.

import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPERATORS } from '../src/operators/index.ts';
import { ROOT, sluice, tempDir } from './support/cli.ts';

const examples = readdirSync(join(ROOT, 'pipelines')).filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml'));

describe('the example pipelines', () => {
  it('are there, each with its test file', () => {
    expect(examples).toEqual(expect.arrayContaining(['status-counts.yaml', 'network-word-count.yaml', 'enriched-events.yaml', 'error-rate.yaml']));
    for (const f of examples) expect(readdirSync(join(ROOT, 'pipelines'))).toContain(f.replace(/\.yaml$/, '.test.yaml'));
  });

  it.each(examples)('%s passes its test cases', async (file) => {
    const r = await sluice(['test', `pipelines/${file}`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^\d+ cases: (\d+) passed, 0 failed\n$/m);
    expect(r.stdout).not.toMatch(/^FAIL/m);
    expect(r.code).toBe(0);
  });

  it('lint finds nothing wrong with any of them', async () => {
    const r = await sluice(['lint', ...examples.map((f) => `pipelines/${f}`)]);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('status counts run on the shipped log give what the flag chain gives', async () => {
    const file = await sluice(['run', 'pipelines/status-counts.yaml']);
    const chain = await sluice(['-b', '10s', '-i', 'pipelines/data/access.log', '--parse', 'clf', '--map', 'x.status', '--count-by-value']);
    expect(file.code).toBe(0);
    expect(file.stdout.split('\n').length).toBeGreaterThan(3);
    expect(file.stdout).toBe(chain.stdout);
  });

  it('the join example enriches the shipped clicks with the shipped users', async () => {
    const r = await sluice(['run', 'pipelines/enriched-events.yaml', '--set', 'batch=1h']);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual([
      { user: 'u1', page: '/pricing', ms: 130, name: 'Ada', plan: 'pro' },
      { user: 'u1', page: '/signup', ms: 210, name: 'Ada', plan: 'pro' },
      { user: 'u2', page: '/docs', ms: 85, name: 'Grace', plan: 'free' },
      { user: 'u9', page: '/', ms: 40, name: null, plan: null },
    ]);
  });
});

describe('sluice explain', () => {
  // every operator of the flag chain, from the registry: the file it prints runs to the same bytes
  const chainOps = OPERATORS.filter((d) => !('combine' in d));
  const input = 'to be or not\nto be\n\nquick brown fox\n';
  it.each(chainOps.map((d) => [d.name, d.example]))('%s: the printed pipeline runs to byte-identical output', async (_name, example) => {
    // 10s: a multiple of the examples' window slides; all the input falls in one batch
    const args = ['-b', '10s', ...example.match(/'[^']*'|\S+/g)!.map((a) => a.replace(/^'|'$/g, ''))];
    const explained = await sluice(['explain', ...args]);
    expect(explained.code).toBe(0);
    const file = join(tempDir(), 'p.yaml');
    writeFileSync(file, explained.stdout);
    // batches end on multiples of the interval: start both runs early in one, so that neither takes its input in the next
    const into = Date.now() % 10_000;
    if (into > 8_000) await new Promise((resolve) => setTimeout(resolve, 10_000 - into + 20));
    const [viaChain, viaFile] = await Promise.all([sluice(args, input), sluice(['run', file], input)]);
    expect(viaFile.stdout).toBe(viaChain.stdout);
    expect(viaFile.code).toBe(viaChain.code);
  });

  it('keeps a literal ${...} of a flag literal in the file, where ${VAR} would be a variable', async () => {
    const args = ['--map', 'x + " ${HOME} $${HOME}"'];
    const explained = await sluice(['explain', ...args]);
    const file = join(tempDir(), 'p.yaml');
    writeFileSync(file, explained.stdout);
    const [viaChain, viaFile] = await Promise.all([sluice(args, 'a\n'), sluice(['run', file], 'a\n')]);
    expect(viaChain.stdout).toBe('a ${HOME} $${HOME}\n');
    expect(viaFile.stdout).toBe(viaChain.stdout);
  });

  it('refuses to explain a chain that would not run, as running it would', async () => {
    const r = await sluice(['explain', '--window', '10s', '--count-by-window', '20s']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--window: count-by-window has a window of its own/);
  });

  it('writes options, sources and sinks the way a person would', async () => {
    const r = await sluice(['explain', '-b', '10s', '-i', 'a.log', '-i', 'b.log', '--parse', 'clf', '--map', 'x.status', '--count-by-value', '--print', '5']);
    expect(r.stdout).toBe(`batch: 10s
sources:
  in1: { in: a.log, parse: clf }
  in2: { in: b.log, parse: clf }
streams:
  main:
    from: [ in1, in2 ]
    ops:
      - map: x.status
      - count-by-value
sinks:
  - { from: main, out: "-", print: 5 }
`);
  });
});

describe('sluice test', () => {
  it('ends the input with the last batch, as sluice run does for a file: a partial window comes out', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'w.yaml'), 'sources:\n  l: { in: "-" }\nstreams:\n  n:\n    from: l\n    ops: [{ window: 3s/3s }, count]\nsinks:\n  - { from: n }\n');
    writeFileSync(join(dir, 'w.test.yaml'), 'cases:\n  two of three batches:\n    input: { l: [[a, b], [c]] }\n    expect: { n: [[3]] }\n');
    const file = await sluice(['test', join(dir, 'w.yaml')]);
    expect(file.stdout).toContain('1 cases: 1 passed, 0 failed');
    const ran = await sluice(['run', join(dir, 'w.yaml')], 'a\nb\nc\n');
    expect(ran.stdout).toBe('3\n');
  });

  it('prints a diff for a failing case and exits 1', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.yaml'), 'sources:\n  l: { in: "-" }\nstreams:\n  n:\n    from: l\n    ops: [count]\nsinks:\n  - { from: n }\n');
    writeFileSync(join(dir, 'p.test.yaml'), 'cases:\n  right:\n    input: { l: [[a, b]] }\n    expect: { n: [[2]] }\n  wrong:\n    input: { l: [[a], [b, c]] }\n    expect: { n: [[1], [3]] }\n');
    const r = await sluice(['test', join(dir, 'p.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      `PASS  ${dir}/p.yaml: right\nFAIL  ${dir}/p.yaml: wrong\n      n: - expected, + actual\n        batch 1 (time 1000)\n          1\n        batch 2 (time 2000)\n      -   3\n      +   2\n2 cases: 1 passed, 1 failed\n`,
    );
  });

  it('reads aliases in a test file as what their anchors name, and refuses one without its anchor or inside it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.yaml'), 'sources:\n  l: { in: "-" }\nsinks:\n  - { from: l }\n');
    writeFileSync(join(dir, 'p.test.yaml'), 'cases:\n  one:\n    input: { l: [[&w a, *w]] }\n    expect: { l: [[a, a]] }\n');
    expect(await sluice(['test', join(dir, 'p.yaml')])).toMatchObject({ code: 0, stdout: `PASS  ${dir}/p.yaml: one\n1 cases: 1 passed, 0 failed\n` });
    writeFileSync(join(dir, 'p.test.yaml'), 'cases:\n  one:\n    input: { l: [&b [a, *b]] }\n    expect: { l: [*nope] }\n');
    const r = await sluice(['test', join(dir, 'p.yaml')]);
    expect(r.code).toBe(78);
    expect(r.stderr).toBe(
      `${dir}/p.test.yaml:3:25: alias *b is inside the value &b it names\n${dir}/p.test.yaml:4:19: alias *nope names no anchor: write &nope on a value before it\n`,
    );
  });

  it('checks the test file against the pipeline, with positions', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.yaml'), 'sources:\n  lines: { in: "-" }\nsinks:\n  - { from: lines }\n');
    writeFileSync(join(dir, 'p.test.yaml'), 'cases:\n  one:\n    input: { line: [[a]] }\n    expect: { lines: [a] }\n    batch: 2\n');
    const r = await sluice(['test', join(dir, 'p.yaml')]);
    expect(r.code).toBe(78);
    expect(r.stderr).toBe(
      [
        `${dir}/p.test.yaml:3:14: input: no source 'line' (did you mean 'lines'?) (known: lines)`,
        `${dir}/p.test.yaml:4:23: cases.one.expect.lines[0]: a batch is a list of records ([] for an empty one)`,
        `${dir}/p.test.yaml:5:5: unknown key 'batch' at cases.one (did you mean 'batches'?)`,
        '',
      ].join('\n'),
    );
  });
});
