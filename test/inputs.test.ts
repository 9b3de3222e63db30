// Inputs and outputs as shells and real logs give them: pipes, FIFOs and devices, long lines,
// encodings, compressed and CSV files, each through the real bin/sluice.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SLUICE, sluice, start, tempDir } from './support/cli.ts';
import { eventually } from './support/eventually.ts';

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
