// The real bin/sluice driven as a user would: pipes, files, signals, exit statuses.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordsTo, ROOT, shellStatus, SLUICE, sluice, start, tempDir } from './support/cli.ts';
import { eventually, linesOf } from './support/eventually.ts';

const ACCESS_LOG = join(ROOT, 'pipelines/data/access.log');
const sorted = (text: string) => text.trimEnd().split('\n').sort().join('\n');

// Tests that expect one batch use -b 1h: with the default 1s a batch boundary can fall between the
// read that brings the input and the one that sees its end.
describe('sluice as a filter', () => {
  it('counts a field by value exactly as awk does', async () => {
    const awk = execFileSync('mawk', ['{c[$9]++} END{for(k in c) print k"\t"c[k]}', ACCESS_LOG], { encoding: 'utf8' });
    // the fused spellings (src/pipeline/fuse.ts) and one the general path runs
    for (const map of [['--parse', 'split', '--map', 'x[8]'], ['--map', 'x.split(" ")[8]'], ['--map', 'x.split(" ").at(8)']]) {
      const r = await sluice(['-b', '1h', '-i', ACCESS_LOG, ...map, '--count-by-value']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(sorted(r.stdout)).toBe(sorted(awk));
    }
  });

  it('runs the partial batch at end of input without waiting out the interval', async () => {
    const r = await sluice(['-b', '1h', '--flat-map', 'x.split(" ")', '--map', '[x, 1]', '--reduce-by-key', 'a + b'], 'to be or\nnot to be\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('to\t2\nbe\t2\nor\t1\nnot\t1\n');
  });

  it('prints exactly what Spark print() prints', async () => {
    const r = await sluice(['-b', '1h', '--map', '[x, x.length]', '--print', '2'], 'hello\nworld\nagain\n');
    const lines = r.stdout.split('\n');
    expect(lines[1]).toMatch(/^Time: \d+000 ms$/);
    expect(r.stdout).toBe(
      `-------------------------------------------\n${lines[1]}\n-------------------------------------------\n(hello,5)\n(world,5)\n...\n\n`,
    );
  });

  it('prefixes lines with the batch time, the same for a whole batch', async () => {
    const r = await sluice(['-b', '1h', '--with-time', '--count'], 'a\nb\n');
    expect(r.stdout).toMatch(/^\d+\t2\n$/);
    expect(Number(r.stdout.split('\t')[0]) % 3_600_000).toBe(0);
  });

  it('renders json, csv and tsv', async () => {
    const input = '{"a":"x,y","b":1}\n';
    expect((await sluice(['--parse', 'json', '--format', 'json'], input)).stdout).toBe('{"a":"x,y","b":1}\n');
    expect((await sluice(['--parse', 'json', '--format', 'csv'], input)).stdout).toBe('"x,y",1\n');
    expect((await sluice(['--parse', 'json', '--map', '[x.a, "t\\tb"]', '--format', 'tsv'], input)).stdout).toBe('x,y\tt\\tb\n');
  });

  it('exits 0 quietly when the reader goes away (EPIPE)', () => {
    const r = spawnSync('bash', ['-c', `seq 1 2000000 | '${SLUICE}' --map 'x + "!"' | head -1; echo "status \${PIPESTATUS[1]}" >&2`], { encoding: 'utf8' });
    expect(r.stdout).toBe('1!\n');
    expect(r.stderr).toBe('status 0\n');
  });

  it('writes all of its output to a full pipe left non-blocking by whoever shares it', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'out');
    const marks = join(dir, 'seen');
    execFileSync('mkfifo', [fifo]);
    const shared = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK); // its flags are the child's stdout's too
    const child = spawn(SLUICE, ['-b', '1h', '--filter', recordsTo(marks), '--map', 'x'], { stdio: ['pipe', shared, 'ignore'] });
    closeSync(shared);
    const input = Array.from({ length: 50_000 }, (_, i) => `line ${i}\n`).join(''); // 539 KB: a 64 KiB pipe fills
    child.stdin!.end(input);
    await eventually(() => linesOf(marks).length === 50_000, 'every line to be read while nobody reads the pipe');
    const cat = spawnSync('cat', [fifo], { encoding: 'utf8', maxBuffer: 1 << 24 });
    expect(cat.stdout).toBe(input);
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
  });

  it('runs empty batches while the input is quiet', async () => {
    const { child, done, stdout } = start(['-b', '100ms', '--count']);
    child.stdin!.write('a\n');
    await eventually(() => stdout().split('\n').length > 3, 'three batches');
    child.stdin!.end();
    const r = await done;
    const counts = r.stdout.trim().split('\n').map(Number);
    expect(counts.reduce((a, b) => a + b)).toBe(1);
    expect(counts.filter((n) => n === 0).length).toBeGreaterThanOrEqual(2);
  });

  it('on SIGTERM finishes the batch in flight, flushes it and exits 0', async () => {
    const marks = join(tempDir(), 'seen');
    const { child, done } = start(['-b', '1h', '--filter', recordsTo(marks), '--map', 'x.toUpperCase()']);
    child.stdin!.write('one\ntwo\n');
    await eventually(() => linesOf(marks).length === 2, 'both lines to be read'); // the batch stays open for an hour
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('ONE\nTWO\n');
  });

  it('a second signal exits at once while the batch in flight is stuck on a full pipe', async () => {
    const marks = join(tempDir(), 'seen');
    const { child, done } = start(['-b', '1h', '--filter', recordsTo(marks), '--map', 'x.repeat(100)']);
    child.stdout!.pause(); // nobody reads: sluice's writes fill the pipe and it waits for a drain
    child.stdin!.on('error', () => {});
    child.stdin!.write(`${'line\n'.repeat(20_000)}`);
    await eventually(() => linesOf(marks).length === 20_000, 'the lines to be read');
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200)); // what must not happen: exiting before the second signal
    expect(child.exitCode).toBeNull(); // still trying to finish the batch
    child.kill('SIGTERM');
    const r = await done;
    expect(shellStatus(r)).toBe(143);
  });

  it('gives up a graceful stop after --shutdown-timeout', async () => {
    const marks = join(tempDir(), 'seen');
    const { child, done } = start(['-b', '1h', '--shutdown-timeout', '300ms', '--filter', recordsTo(marks), '--map', 'x.repeat(100)']);
    child.stdout!.pause();
    child.stdin!.on('error', () => {});
    child.stdin!.write(`${'line\n'.repeat(20_000)}`);
    await eventually(() => linesOf(marks).length === 20_000, 'the lines to be read');
    child.kill('SIGTERM');
    const r = await done;
    expect(shellStatus(r)).toBe(143);
    expect(r.stderr).toBe('sluice: error: the batch in flight did not finish within --shutdown-timeout 300ms; exiting\n');
  });

  it('prints per-batch stats with -v', async () => {
    const r = await sluice(['-v', '-b', '1h', '--filter', 'x > 1'], '1\n2\n3\n');
    expect(r.stderr).toMatch(/^sluice: batch \d+: 3 in, 2 out, \d+ ms processing, \d+ ms scheduling delay\n$/);
  });
});

describe('files', () => {
  it('reads a glob of files in order and writes one file per batch, atomically named', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.log'), '1\n2\n');
    writeFileSync(join(dir, 'b.log'), '3\n');
    const r = await sluice(['-b', '1h', '-i', join(dir, '*.log'), '--map', 'Number(x) * 10', '-o', join(dir, 'out.txt')]);
    expect(r.code).toBe(0);
    const outs = readdirSync(dir).filter((f) => f.startsWith('out'));
    expect(outs).toHaveLength(1);
    expect(outs[0]).toMatch(/^out-\d+\.txt$/);
    expect(readFileSync(join(dir, outs[0]!), 'utf8')).toBe('10\n20\n30\n');
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('appends every batch to one file', async () => {
    const dir = tempDir();
    const out = join(dir, 'all.txt');
    await sluice(['-b', '1h', '-o', `append:${out}`, '--count'], 'a\n');
    await sluice(['-b', '1h', '-o', `append:${out}`, '--count'], 'a\nb\n');
    expect(readFileSync(out, 'utf8')).toBe('1\n2\n');
  });

  it('fans out to several sinks', async () => {
    const dir = tempDir();
    const r = await sluice(['-o', '-', '-o', `append:${join(dir, 'copy')}`], 'x\n');
    expect(r.stdout).toBe('x\n');
    expect(readFileSync(join(dir, 'copy'), 'utf8')).toBe('x\n');
  });

  it('names a missing input file', async () => {
    const r = await sluice(['-i', '/nonexistent/file.log']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('sluice: error: /nonexistent/file.log: no such file\n');
  });
});

describe('bad input', () => {
  it('fails on a malformed record with source, line and column, writing nothing of the batch', async () => {
    const r = await sluice(['-b', '1h', '--parse', 'json'], '{"a":1}\n{"a":2}\n{"a":\n');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^sluice: error: stdin:3:6: invalid JSON: /);
  });

  it('names the file of a glob and the line in it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.csv'), 'x,1\n');
    writeFileSync(join(dir, 'b.csv'), 'y,2\n"z,3\n');
    const r = await sluice(['-b', '1h', '-i', join(dir, '*.csv'), '--parse', 'csv', '-o', join(dir, 'out')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`sluice: error: ${join(dir, 'b.csv')}:2:1: unterminated quoted field\n`);
    expect(readdirSync(dir).filter((f) => f.includes('out'))).toEqual([]);
  });

  it('skip counts bad records and reports them at exit', async () => {
    const r = await sluice(['-b', '1h', '--parse', 'json', '--on-error', 'skip', '--count'], '1\nnope\n2\n{\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('2\n');
    expect(r.stderr).toBe('sluice: 2 bad records skipped\n');
  });

  it('dlq writes each bad record with the reason', async () => {
    const dir = tempDir();
    const dlq = join(dir, 'dead.ndjson');
    const r = await sluice(['--parse', 'clf', '--on-error', `dlq:${dlq}`, '--map', 'x.status'], 'garbage\n');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`sluice: 1 bad record written to ${dlq}\n`);
    expect(JSON.parse(readFileSync(dlq, 'utf8'))).toEqual({ where: 'stdin:1', reason: 'not a common or combined log format line', record: 'garbage' });
  });

  it('a dead-letter file that cannot be written fails the run without claiming the record was written', async () => {
    const dlq = join(tempDir(), 'missing-dir', 'dead.ndjson');
    const r = await sluice(['--parse', 'json', '--on-error', `dlq:${dlq}`], 'garbage\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`sluice: error: --on-error dlq:${dlq}: cannot write the dead letter: no such file or directory; check the path\n`);
  });

  it('an expression that throws on a record is a bad record too', async () => {
    const r = await sluice(['--parse', 'json', '--map', 'x.a.b'], '{"a":{"b":1}}\n{}\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sluice: error: stdin:2: --map: TypeError: Cannot read properties of undefined/);
  });
});

describe('usage', () => {
  it('reports an expression syntax error with the flag and column, exit 2', async () => {
    const r = await sluice(['--filter', 'x >', '--map', 'x.(']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'sluice: error: --filter: syntax error: unexpected token at column 4\nsluice: error: --map: syntax error: unexpected token at column 3\n',
    );
  });

  it('rejects unknown flags with a suggestion, bad durations and misplaced options', async () => {
    expect((await sluice(['--mapp', 'x'])).stderr).toBe("sluice: error: unknown option '--mapp' (did you mean --map?)\n");
    expect((await sluice(['-b', '10 sec'])).stderr).toMatch(/--batch: bad duration '10 sec'/);
    const r = await sluice(['--inverse', 'a - b']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--inverse must follow (--reduce or )?--reduce-by-key/);
  });

  it('checks --parse and --max-rate as a pipeline file does', async () => {
    const codec = await sluice(['--parse', 'nope'], 'a\n');
    expect(codec.code).toBe(2);
    expect(codec.stderr).toBe("sluice: error: --parse: unknown codec 'nope': use one of json, csv, tsv, clf, split, regex, syslog\n");
    for (const rate of ['abc', '-5', '0']) {
      const r = await sluice(['--max-rate', rate], 'a\n');
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`sluice: error: --max-rate: needs a whole number >= 1, not '${rate}'\n`);
    }
  });

  it('refuses --print when no sink is stdout', async () => {
    const r = await sluice(['--print', '--count', '-o', join(tempDir(), 'out.txt')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("sluice: error: --print writes Spark's layout to stdout, and no -o is stdout: add -o - or leave --print out\n");
  });

  it('checks windows against the batch interval', async () => {
    const r = await sluice(['-b', '2s', '--window', '5s', '--count']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/window length 5s is not a multiple of the batch interval 2s; use 4s or 6s/);
  });

  it('has --help with examples and --version', async () => {
    const help = await sluice(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--reduce-by-key <E>[\s\S]*Examples:/);
    expect((await sluice(['--version'])).stdout).toMatch(/^sluice \d+\.\d+\.\d+\n$/);
  });
});
