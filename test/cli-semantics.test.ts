// What the command line means, end to end through bin/sluice: core flags after a pipeline file,
// globs of pipeline and test files, unordered test cases, initial states from table files, and
// the messages a user sees when something fails.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, sluice, start, tempDir } from './support/cli.ts';
import { eventually } from './support/eventually.ts';

/** Runs still going when a test ends (it failed midway) are killed, not left behind. */
const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** A running sluice with 100 ms batches, and its stdout and stderr so far. */
function watch(args: string[]) {
  const run = start(['-b', '100ms', ...args]);
  running.push(run.child);
  const seen = { out: '', err: '' };
  run.child.stdout!.on('data', (d: Buffer) => (seen.out += d));
  run.child.stderr!.on('data', (d: Buffer) => (seen.err += d));
  return { ...run, seen };
}

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
  const count = (file: string) => sluice(['-b', '1h', '--map', '[x, 1]', '--update-state', '(values, state) => (values.length ? values.length + (state ?? 0) : state)', '--initial-state', file], 'a\nb\na\n');

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

describe('messages say what failed, where, and what to do', () => {
  it('an http sink refused names its URI once, and a dead letter keeps where and why apart', async () => {
    const server = createServer((req, res) => req.resume().on('end', () => res.writeHead(400).end('bad thing')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    try {
      expect(await sluice(['-o', `${url}?token=s3cret`], 'hi\n')).toMatchObject({ code: 1, stderr: `sluice: error: ${url}?token=***: 400 Bad Request: bad thing\n` });
      const dlq = join(tempDir(), 'dlq.ndjson');
      const r = await sluice(['-o', url, '--on-error', `dlq:${dlq}`], 'hi\n');
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`^sluice: ${url}: 400 Bad Request: bad thing \\(batch \\d+: its record is dead-lettered\\)\\nsluice: 1 bad record written to ${dlq}\\n$`));
      expect(JSON.parse(readFileSync(dlq, 'utf8'))).toEqual({ where: url, reason: '400 Bad Request: bad thing', record: 'hi' });
    } finally {
      server.close();
    }
  });

  it('a full disk under an append: sink is the sink failing, not a bad input line', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i}\n`).join('');
    const message = 'append:/dev/full: disk full: cannot write /dev/full (no space left on the device; free some space and run again)';
    expect(await sluice(['-o', 'append:/dev/full'], lines)).toMatchObject({ code: 1, stderr: `sluice: error: ${message}\n` });
    const skipped = await sluice(['-b', '1h', '-o', 'append:/dev/full', '--on-error', 'skip'], lines);
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toMatch(/its 20000 records are skipped\)\nsluice: 20000 bad records skipped\n$/);
  });

  it('file errors name the file the user gave, in words, not a temporary file or a Node error', async () => {
    const dir = tempDir();
    const file = write(dir, 'file', '');
    expect(await sluice(['-o', join(file, 'out.txt')], 'hi\n')).toMatchObject({
      code: 1,
      stderr: `sluice: error: ${file}/out.txt: cannot create the directory ${file}: a file is in the way of a directory; check the path\n`,
    });
    // a directory where no file can be made (even by root): the batch's file is named, not the .tmp one
    const r = await sluice(['-o', '/proc/self/out.txt'], 'hi\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sluice: error: \/proc\/self\/out.txt: cannot write \/proc\/self\/out-\d+\.txt: no such file or directory; check the path\n$/);
    // append: creates missing directories, but a directory is no file to append to
    expect(await sluice(['-o', `append:${dir}`], 'hi\n')).toMatchObject({
      stderr: `sluice: error: append:${dir}: cannot open ${dir} to append to it: it is a directory; give the path of a file\n`,
    });
    expect(await sluice(['--checkpoint', join(file, 'ck')], 'hi\n')).toMatchObject({
      code: 1,
      stderr: `sluice: error: --checkpoint ${file}/ck: cannot use the directory: a part of the path is a file, not a directory; check the path\n`,
    });
    expect(await sluice(['--on-error', `dlq:${dir}/no/dlq`, '--map', 'x.y.z'], 'hi\n')).toMatchObject({
      code: 1,
      stderr: `sluice: error: --on-error dlq:${dir}/no/dlq: cannot write the dead letter: no such file or directory; check the path\n`,
    });
  });

  it('an event time that cannot be read is blamed on --event-time, not on the aggregate', async () => {
    const r = await sluice(['--parse', 'json', '--window', '10s', '--event-time', 'x.t', '--count'], '{"t": "2026-01-01T00:00:00Z"}\n{"t": "noon"}\n');
    expect(r).toMatchObject({ code: 1, stderr: 'sluice: error: stdin:2: --window: event-time: TypeError: event time "noon" is not a time: use epoch ms, ISO 8601 or a CLF timestamp\n' });
  });

  it('a table that changes and cannot be read is named, and the last good one kept', async () => {
    const table = write(tempDir(), 'users.json', '{"a": 1}');
    const { child, done, seen } = watch(['--key-by', 'x', '--join-with', table]);
    child.stdin!.write('a\n');
    await eventually(() => seen.out.includes('a\t["a",1]'), 'the first join');
    writeFileSync(table, '{"a": ');
    await eventually(() => seen.err.includes('changed and cannot be read'), 'the note'); // at the next batch
    child.stdin!.write('a\n');
    await eventually(() => seen.out.split('\n').length > 2, 'the second join');
    child.stdin!.end();
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('a\t["a",1]\na\t["a",1]\n');
    expect(r.stderr).toBe(`sluice: --join-with: ${table} changed and cannot be read (${table}:1:7: invalid JSON: Unexpected end of JSON input); joining with the table as it was until it reads again\n`);
  });
});

describe('file sources say what they are waiting for', () => {
  it('tail: with a glob that matches nothing says once that it waits, then reads what appears', async () => {
    const dir = tempDir();
    const { child, done, seen } = watch(['-i', `tail:${dir}/*.log?from=start&poll=20ms`]);
    const waiting = `sluice: tail:${dir}/*.log?from=start&poll=20ms: no file matches ${dir}/*.log yet; waiting for one to appear\n`;
    await eventually(() => seen.err === waiting, 'the note');
    write(dir, 'app.log', 'hello\n');
    await eventually(() => seen.out === 'hello\n', 'the new file');
    child.kill('SIGTERM');
    expect(await done).toMatchObject({ code: 0, stderr: waiting });
    expect(await sluice(['--once', '-i', `tail:${dir}/*.txt`])).toMatchObject({ code: 0, stderr: `sluice: tail:${dir}/*.txt: no file matches ${dir}/*.txt: nothing to read\n` });
  });

  it('dir: warns when a file it has read grows afterwards', async () => {
    const dir = tempDir();
    const { child, done, seen } = watch(['-i', `dir:${dir}?from=start&poll=20ms`]);
    const file = write(dir, 'early.txt', 'first\n'); // moved in before its writer is done
    await eventually(() => seen.out === 'first\n', 'the file');
    writeFileSync(file, 'first\nsecond\n');
    await eventually(() => seen.err.includes('grew'), 'the warning');
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('first\n');
    expect(r.stderr).toBe(
      `sluice: dir:${dir}?from=start&poll=20ms: early.txt grew after it was read (7 bytes more, which dir: does not read): it was moved in before it was complete; ` +
        'write files under a name dir: leaves alone (.NAME, _NAME, NAME.tmp, NAME._COPYING_), then rename them\n',
    );
  });
});
