// Inputs and outputs as shells and real logs give them: pipes, FIFOs and devices, long lines,
// encodings, compressed and CSV files, each through the real bin/sluice.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createConnection, type Socket } from 'node:net';
import { SLUICE, sluice, start, tempDir } from './support/cli.ts';
import { eventually, linesOf } from './support/eventually.ts';
import { freePort } from './support/ports.ts';
import { random } from './support/random.ts';

/** Read a FIFO to its end in another process, as a reader on the far side of a pipe would. */
function readFifo(path: string): Promise<string> {
  const cat = spawn('cat', [path]);
  let text = '';
  cat.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
  return new Promise((resolve) => cat.on('close', () => resolve(text)));
}

describe('non-seekable inputs are read as streams', () => {
  it('reads /dev/stdin, a process substitution and a named pipe', async () => {
    expect(await sluice(['-b', '1h', '-i', '/dev/stdin', '--count'], 'a\nb\n')).toMatchObject({ code: 0, stdout: '2\n', stderr: '' });
    const sub = spawnSync('bash', ['-c', `"${SLUICE}" -b 1h -i <(printf 'a\\nb\\nc\\n') --count`], { encoding: 'utf8' });
    expect(sub).toMatchObject({ status: 0, stdout: '3\n', stderr: '' });
    const dir = tempDir();
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const viaFifo = spawnSync('bash', ['-c', `printf 'x\\ny\\n' > "${fifo}" & "${SLUICE}" -b 1h -i "${fifo}" --map 'x.toUpperCase()'`], { encoding: 'utf8' });
    expect(viaFifo).toMatchObject({ status: 0, stdout: 'X\nY\n', stderr: '' });
    // a character device
    expect(await sluice(['-b', '1h', '-i', '/dev/null', '--count'])).toMatchObject({ code: 0, stdout: '0\n', stderr: '' });
  });

  it('a stop signal ends a run whose pipe is quiet at once, a named pipe or stdin', async () => {
    for (const from of ['-i "$FIFO"', '< "$FIFO"']) {
      const fifo = join(tempDir(), 'fifo');
      execFileSync('mkfifo', [fifo]);
      const env = { ...process.env, FIFO: fifo };
      // the writer opens the pipe (once sluice has it open for reading) and then writes nothing
      const writer = spawn('bash', ['-c', 'exec sleep 60 > "$FIFO"'], { env, stdio: 'ignore' });
      const run = spawn('bash', ['-c', `exec "${SLUICE}" -b 100ms --count ${from}`], { env });
      let out = '';
      run.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      const ended = new Promise<number | null>((resolve) => run.on('close', resolve));
      await eventually(() => readFileSync(`/proc/${writer.pid}/comm`, 'utf8') === 'sleep\n', 'the writer to have the pipe open');
      await eventually(() => out.length > 0, 'a batch, run while the pipe is read');
      run.kill('SIGTERM');
      expect(await ended).toBe(0); // a read waiting on the quiet pipe held the exit until the writer ended
      expect(new Set(out.trimEnd().split('\n'))).toEqual(new Set(['0']));
      writer.kill();
    }
  });

  it('says a stream has no position for --checkpoint to keep', async () => {
    const dir = tempDir();
    const r = await sluice(['-b', '1h', '-i', '/dev/stdin', '--checkpoint', join(dir, 'cp'), '--count'], 'a\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('1\n');
    expect(r.stderr).toMatch(/\/dev\/stdin: a stream, with no position for --checkpoint to keep/);
  });
});

describe('expressions', () => {
  it('console.log in an expression writes to stderr, not into the data', async () => {
    const r = await sluice(['-b', '1h', '--map', '(console.log("saw", x), x.length)'], 'ab\nc\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('2\n1\n');
    expect(r.stderr).toBe('saw ab\nsaw c\n');
    const arrow = await sluice(['-b', '1h', '--filter', '(x) => { console.info(x); return true; }'], 'q\n');
    expect(arrow).toMatchObject({ stdout: 'q\n', stderr: 'q\n' });
  });
});

describe('devices, FIFOs and directories as outputs', () => {
  it('writes to /dev/null, /dev/stdout and a FIFO as streams, making no per-batch files', async () => {
    const before = readdirSync('/dev').filter((n) => n.startsWith('null-')).length;
    for (const out of ['/dev/null', 'append:/dev/null']) {
      expect(await sluice(['-b', '1h', '-o', out], 'a\n')).toMatchObject({ code: 0, stderr: '' });
    }
    expect(readdirSync('/dev').filter((n) => n.startsWith('null-')).length).toBe(before);
    expect(await sluice(['-b', '1h', '-o', '/dev/stdout', '--map', 'x + 1'], 'a\nb\n')).toMatchObject({ code: 0, stdout: 'a1\nb1\n', stderr: '' });
    const dir = tempDir();
    for (const out of ['fifo', 'append:fifo']) {
      const fifo = join(dir, 'fifo');
      execFileSync('mkfifo', [fifo]);
      const read = readFifo(fifo);
      expect(await sluice(['-b', '1h', '-o', out.replace('fifo', fifo)], 'x\ny\n')).toMatchObject({ code: 0, stderr: '' });
      expect(await read).toBe('x\ny\n');
      execFileSync('rm', [fifo]);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a directory or a path ending in / gets the batch files inside it; append: creates directories', async () => {
    const dir = tempDir();
    expect((await sluice(['-b', '1h', '-o', join(dir, 'new') + '/'], 'a\n')).code).toBe(0);
    mkdirSync(join(dir, 'old'));
    expect((await sluice(['-b', '1h', '-o', join(dir, 'old')], 'b\n')).code).toBe(0);
    for (const [sub, line] of [['new', 'a'], ['old', 'b']]) {
      const files = readdirSync(join(dir, sub));
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^batch-\d+$/);
      expect(readFileSync(join(dir, sub, files[0]!), 'utf8')).toBe(`${line}\n`);
    }
    expect(readdirSync(dir).sort()).toEqual(['new', 'old']);
    const deep = join(dir, 'x', 'y', 'log.txt');
    expect((await sluice(['-b', '1h', '-o', `append:${deep}`], 'c\n')).code).toBe(0);
    expect(readFileSync(deep, 'utf8')).toBe('c\n');
  });

  it('removes the temporary file of a run killed mid-batch at the next start', async () => {
    const dir = tempDir();
    const out = join(dir, 'out', 'part.txt');
    const { child, done } = start(['-b', '1h', '-o', out]);
    child.stdin!.write('a\n');
    const tmp = () => readdirSync(join(dir, 'out')).filter((n) => n.endsWith('.tmp'));
    await eventually(() => { try { return tmp().length === 1; } catch { return false; } }, 'the batch temporary file');
    child.kill('SIGKILL');
    await done;
    expect(tmp()).toHaveLength(1);
    expect((await sluice(['-b', '1h', '-o', out], 'b\n')).code).toBe(0);
    expect(tmp()).toEqual([]);
  });
});

describe('long lines', () => {
  it('reads a 100 MB line in linear time', async () => {
    const started = Date.now();
    const r = await sluice(['-b', '1h', '--max-line-bytes', '200000000', '--map', 'x.length'], `a\n${'x'.repeat(100_000_000)}\nbc\n`);
    expect(r).toMatchObject({ code: 0, stdout: '1\n100000000\n2\n', stderr: '' });
    expect(Date.now() - started).toBeLessThan(20_000); // 44 s when it was quadratic
  });

  it('a line over --max-line-bytes is a bad record at its place, whichever source reads it', async () => {
    const dir = tempDir();
    // 5000 bytes fit one read; 1 MB takes several, and is dropped as it comes
    const input = `short\n${'y'.repeat(5000)}\nok\n${'z'.repeat(1_000_000)}\nlast\n`;
    writeFileSync(join(dir, 'in.txt'), input);
    mkdirSync(join(dir, 'inbox'));
    writeFileSync(join(dir, 'inbox', 'a.txt'), input);
    const args = ['-b', '1h', '--once', '--max-line-bytes', '4096', '--map', 'x.length'];
    for (const [i, source] of ['-', join(dir, 'in.txt'), `dir:${join(dir, 'inbox')}?from=start`, `tail:${join(dir, 'in.txt')}?from=start`].entries()) {
      const dlq = join(dir, `dlq${i}.json`);
      const r = await sluice([...args, '-i', source, '--on-error', `dlq:${dlq}`], input);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('5\n2\n4\n');
      const letters = linesOf(dlq).map((l) => JSON.parse(l));
      const name = ['stdin', 'in.txt', 'a.txt', 'in.txt'][i];
      expect(letters.map((l) => [l.where.replace(/^.*\//, ''), l.reason])).toEqual([
        [`${name}:2`, 'a line of 5000 bytes, more than --max-line-bytes 4096'],
        [`${name}:4`, 'a line of 1000000 bytes, more than --max-line-bytes 4096'],
      ]);
      expect(letters[1].record).toMatch(/^z{256}\.\.\.$/);
    }
    const failed = await sluice(['-b', '1h', '--max-line-bytes', '4096'], input);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/stdin:2: a line of 5000 bytes, more than --max-line-bytes 4096/);
  });

  it("tcp-listen: one client's long line does not hold up the others", async () => {
    const port = await freePort();
    const dir = tempDir();
    const out = join(dir, 'out.txt');
    const { child, done } = start(['-b', '50ms', '-i', `tcp-listen://127.0.0.1:${port}`, '--max-line-bytes', '200000000', '--map', 'x.length', '-o', `append:${out}`]);
    const connect = async (): Promise<Socket> => {
      for (;;) {
        const socket = createConnection(port, '127.0.0.1');
        if (await new Promise<boolean>((r) => socket.once('connect', () => r(true)).once('error', () => r(false)))) return socket;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const [long, short] = [await connect(), await connect()];
    const piece = 'x'.repeat(1 << 20);
    for (let i = 0; i < 100; i++) long.write(piece);
    await new Promise<void>((r) => long.write('', () => r())); // 100 MB on its way, no newline yet
    short.end('abc\n');
    await eventually(() => linesOf(out).includes('3'), "the short client's line", 20_000);
    long.end('\n');
    await eventually(() => linesOf(out).includes(String(100 << 20)), "the long client's line", 20_000);
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  });
});

describe('a CSV or TSV header belongs to its file', () => {
  const rows = (text: string) => text.trimEnd().split('\n').map((l) => JSON.parse(l));

  it('every file of a glob and of dir: has its own header', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.csv'), 'name,n\nann,1\nbo,2\n');
    writeFileSync(join(dir, 'b.csv'), 'n,name\n3,cy\n');
    const want = [{ name: 'ann', n: '1' }, { name: 'bo', n: '2' }, { n: '3', name: 'cy' }];
    const glob = await sluice(['-b', '1h', '-i', join(dir, '*.csv'), '--parse', 'csv:header', '--format', 'json']);
    expect(glob.stderr).toBe('');
    expect(rows(glob.stdout)).toEqual(want);
    const inbox = await sluice(['-b', '1h', '--once', '-i', `dir:${dir}?from=start&pattern=*.csv`, '--parse', 'csv:header', '--format', 'json']);
    expect(rows(inbox.stdout).sort((x, y) => (x.name < y.name ? -1 : 1))).toEqual(want);
    writeFileSync(join(dir, 'c.tsv'), 'k\tv\nx\t1\n');
    writeFileSync(join(dir, 'd.tsv'), 'v\tk\n2\ty\n');
    const tsv = await sluice(['-b', '1h', '-i', join(dir, '*.tsv'), '--parse', 'tsv:header', '--format', 'json']);
    expect(rows(tsv.stdout)).toEqual([{ k: 'x', v: '1' }, { v: '2', k: 'y' }]);
  });

  it('a --checkpoint resume in the middle of a file goes on with its header', async () => {
    const dir = tempDir();
    const file = join(dir, 'in.csv');
    writeFileSync(file, 'name,n\nann,1\n');
    const args = ['-b', '1h', '-i', file, '--checkpoint', join(dir, 'cp'), '--parse', 'csv:header', '--format', 'json'];
    expect(rows((await sluice(args)).stdout)).toEqual([{ name: 'ann', n: '1' }]);
    appendFileSync(file, 'bo,2\ncy,x,3\n');
    const again = await sluice([...args, '--on-error', 'skip']);
    expect(rows(again.stdout)).toEqual([{ name: 'bo', n: '2' }]);
    const bad = await sluice(args);
    expect(bad.stderr).toBe(''); // nothing new: the bad line was skipped and is behind the checkpoint
    appendFileSync(file, 'dee,4,\n');
    const failed = await sluice(args);
    expect(failed.stderr).toMatch(/in\.csv:5: 3 fields where the header has 2/); // line numbers go on too
  });

  it('tail: a rotated file and a file joined in its middle keep their own header', async () => {
    const dir = tempDir();
    const log = join(dir, 'app.csv');
    writeFileSync(log, 'a,b\nold,1\n');
    const out = join(dir, 'out.json');
    const { child, done } = start(['-b', '50ms', '-i', `tail:${log}?poll=20ms`, '--parse', 'csv:header', '--format', 'json', '-o', `append:${out}`]);
    // ?from=end: the rows already there are skipped, the header is still read from the top
    await eventually(() => {
      appendFileSync(log, 'x,2\n');
      return linesOf(out).length > 0;
    }, 'a row appended after the start');
    expect(JSON.parse(linesOf(out)[0]!)).toEqual({ a: 'x', b: '2' });
    renameSync(log, `${log}.1`);
    writeFileSync(log, 'b,a\n3,new\n');
    await eventually(() => linesOf(out).some((l) => l.includes('new')), 'the new file');
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
    const got = linesOf(out).map((l) => JSON.parse(l));
    expect(got.at(-1)).toEqual({ b: '3', a: 'new' });
    expect(got.every((r) => Object.keys(r).sort().join() === 'a,b')).toBe(true);
  });
});

describe('RFC 4180: a quoted CSV field may hold newlines', () => {
  it('reads back what --format csv writes, for random records (seed 20261203)', async () => {
    const next = random(20261203);
    const alphabet = ['a', 'b', ' ', ',', '"', '\n', '\r\n', 'é', '\t', "'"];
    const field = () => Array.from({ length: Math.floor(next() * 6) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    // an empty one-field record would be a blank line: the writer's matter (see --format csv)
    const records = Array.from({ length: 300 }, () => Array.from({ length: 2 + Math.floor(next() * 4) }, field));
    const csv = await sluice(['-b', '1h', '--parse', 'json', '--format', 'csv'], records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    expect(csv.code).toBe(0);
    const back = await sluice(['-b', '1h', '--parse', 'csv', '--format', 'json'], csv.stdout);
    expect(back.stderr).toBe('');
    expect(back.stdout.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual(records);
  });

  it('a record over several lines is named by its first line; a quote never closed is a bad record at the end', async () => {
    const input = 'id,text\n1,"two\nlines"\n2,"x\n\ny",z\n3,"open\n4,never closed\n';
    const dlq = join(tempDir(), 'dlq.json');
    const r = await sluice(['-b', '1h', '--parse', 'csv:header', '--format', 'json', '--on-error', `dlq:${dlq}`], input);
    expect(r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual([{ id: '1', text: 'two\nlines' }]);
    const letters = linesOf(dlq).map((l) => JSON.parse(l));
    expect(letters.map((l) => [l.where, l.reason])).toEqual([
      ['stdin:4', '3 fields where the header has 2'],
      ['stdin:7:3', 'unterminated quoted field'],
    ]);
    expect(letters[1].record).toBe('3,"open\n4,never closed');
    // a dir: file is complete when read: its open record does not wait for more
    const inbox = tempDir();
    writeFileSync(join(inbox, 'a.csv'), input);
    const dirDlq = join(tempDir(), 'dlq.json');
    const live = start(['-b', '50ms', '-i', `dir:${inbox}?from=start&pattern=*.csv&poll=20ms`, '--parse', 'csv:header', '--on-error', `dlq:${dirDlq}`]);
    await eventually(() => linesOf(dirDlq).length === 2, 'both bad records of the file');
    live.child.kill('SIGTERM');
    await live.done;
  });

  it('a record cut by a stop is finished after the restart (the checkpoint keeps its start)', async () => {
    const dir = tempDir();
    const log = join(dir, 'in.csv');
    const cp = join(dir, 'cp');
    writeFileSync(log, 'a,b\n1,"first half\n');
    const args = ['-b', '50ms', '-i', `tail:${log}?from=start&poll=20ms`, '--checkpoint', cp, '--parse', 'csv:header', '--format', 'json'];
    const { child, done } = start(args);
    const saved = () => {
      try {
        return readdirSync(cp).some((f) => readFileSync(join(cp, f), 'utf8').includes('first half'));
      } catch {
        return false;
      }
    };
    await eventually(saved, 'a checkpoint holding the open record');
    child.kill('SIGTERM');
    expect(await done).toMatchObject({ code: 0, stdout: '' });
    appendFileSync(log, 'second half"\n2,x\n');
    const r = await sluice([...args.slice(0, 2), '--once', ...args.slice(2)]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual([{ a: '1', b: 'first half\nsecond half' }, { a: '2', b: 'x' }]);
  });
});

describe('encodings', () => {
  const latin1 = Buffer.from('caf\xe9 \xff\xfe ok\nna\xefve\n', 'latin1');
  const run = (args: string[]) => spawnSync(SLUICE, ['-b', '1h', ...args], { input: latin1 });

  it('counts the bytes that are not UTF-8 and says so on stderr at exit', () => {
    const r = run([]);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toBe('caf\uFFFD \uFFFD\uFFFD ok\nna\uFFFDve\n');
    expect(r.stderr.toString()).toBe('sluice: stdin: 4 bytes not valid UTF-8, replaced by U+FFFD (--encoding latin1 keeps every byte)\n');
    expect(run(['-q']).stderr.toString()).toBe('');
  });

  it('--encoding latin1 passes any bytes through unchanged, to stdout and to files', () => {
    const r = run(['--encoding', 'latin1']);
    expect(r).toMatchObject({ status: 0, stderr: Buffer.from('') });
    expect(r.stdout.equals(latin1)).toBe(true);
    const out = join(tempDir(), 'out.log');
    expect(run(['--encoding', 'latin1', '--filter', 'x.length > 6', '-o', `append:${out}`]).status).toBe(0);
    expect(readFileSync(out).equals(latin1.subarray(0, latin1.indexOf(10) + 1))).toBe(true);
    // a character beyond Latin-1 that an expression makes cannot be written as one byte
    expect(run(['--encoding', 'latin1', '--map', 'x.length < 6 ? x + "\u2713" : x']).stdout.toString('latin1')).toBe('caf\xe9 \xff\xfe ok\nna\xefve?\n');
  });
});

describe('gzip files are read as the text they hold', () => {
  const numbered = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `${tag} ${i} ${'.'.repeat(20)}\n`).join('');
  /** logrotate's compress: the rotated file replaced by its .gz */
  const compress = (path: string) => {
    writeFileSync(`${path}.gz`, gzipSync(readFileSync(path)));
    rmSync(path);
  };

  it("-i 'access.log*' reads a rotated history, oldest first; a truncated archive is a bad record after its good lines", async () => {
    const dir = tempDir();
    const log = join(dir, 'access.log');
    writeFileSync(`${log}.2.gz`, gzipSync('one\ntwo\n'));
    writeFileSync(`${log}.1`, 'three\n');
    writeFileSync(log, 'four\n');
    expect(await sluice(['-b', '1h', '-i', `${log}*`])).toMatchObject({ code: 0, stdout: 'one\ntwo\nthree\nfour\n', stderr: '' });
    const whole = gzipSync(numbered('line', 20_000));
    writeFileSync(`${log}.2.gz`, whole.subarray(0, whole.length >> 1));
    const cut = await sluice(['-b', '1h', '-i', `${log}*`, '--count']);
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/^sluice: error: .*access\.log\.2\.gz:\d+: truncated gzip archive \(unexpected end of file\)\n$/);
    const skipped = await sluice(['-b', '1h', '-i', `${log}*`, '--on-error', 'skip', '--count']);
    expect(skipped.code).toBe(0);
    const good = Number(skipped.stdout) - 2; // the files after it are read too
    expect(good).toBeGreaterThan(1000);
    expect(good).toBeLessThan(20_000);
    expect(cut.stderr).toContain(`.gz:${good + 1}:`);
  });

  it('dir: reads a .gz moved in as its text', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.log.gz'), gzipSync('x\ny\n'));
    const r = await sluice(['-b', '1h', '--once', '-i', `dir:${dir}?from=start`]);
    expect(r).toMatchObject({ code: 0, stdout: 'x\ny\n', stderr: '' });
  });

  it('tail: a rotation compressed while followed, or while sluice was down, is read once, not twice and not as bytes', async () => {
    const dir = tempDir();
    const log = join(dir, 'app.log');
    const elsewhere = tempDir(); // not beside the log: tail: looks there for where a rotated file went
    const cp = join(elsewhere, 'cp');
    const out = join(elsewhere, 'out.txt');
    const args = ['-b', '50ms', '-i', `tail:${log}*?from=start&poll=20ms`, '--checkpoint', cp, '-o', `append:${out}`];
    writeFileSync(log, numbered('a', 100));
    const first = start(args);
    await eventually(() => linesOf(out).length === 100, 'the first lines');
    renameSync(log, `${log}.1`);
    appendFileSync(`${log}.1`, numbered('b', 50)); // the writer still has the old file open
    writeFileSync(log, numbered('c', 50));
    await eventually(() => linesOf(out).length === 200, 'the rotated and the new file');
    compress(`${log}.1`);
    appendFileSync(log, numbered('d', 50));
    await eventually(() => linesOf(out).length >= 250, 'more of the new file');
    first.child.kill('SIGTERM');
    expect((await first.done).code).toBe(0);
    // while it is down: more lines, then another rotation, compressed at once
    appendFileSync(log, numbered('e', 50));
    renameSync(`${log}.1.gz`, `${log}.2.gz`);
    renameSync(log, `${log}.1`);
    compress(`${log}.1`);
    writeFileSync(log, numbered('f', 50));
    const again = await sluice([...args.slice(0, 2), '--once', ...args.slice(2)]);
    expect(again.stderr).toBe('');
    const want = ['a', 'b', 'c', 'd', 'e', 'f'].flatMap((t) => numbered(t, t === 'a' ? 100 : 50).trimEnd().split('\n'));
    expect(linesOf(out).sort()).toEqual(want.sort());
  });
});
