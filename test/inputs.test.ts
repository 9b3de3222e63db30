// Inputs and outputs as shells and real logs give them: pipes, FIFOs and devices, long lines,
// encodings, compressed and CSV files, each through the real bin/sluice.

import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SLUICE, sluice, tempDir } from './support/cli.ts';

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
