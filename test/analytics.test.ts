// Dedupe, session windows and sketch aggregates end to end through the real bin/sluice: flag
// chains, their usage errors, and their state carried from one run to the next by --checkpoint.

import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sluice, tempDir } from './support/cli.ts';

describe('--dedupe', () => {
  it("drops repeats of a key within DUR by the records' own times; one behind the watermark is late", async () => {
    const input = ['a 100', 'b 101', 'a 105', 'a 111', 'b 102'].join('\n');
    const r = await sluice(['--parse', 'split', '--dedupe', 'x[0]', '--within', '10s', '--event-time', 'x[1]', '--event-time-unit', 's', '--map', 'x.join(" ")'], input);
    expect(r).toMatchObject({ code: 0, stdout: 'a 100\nb 101\na 111\n', stderr: 'sluice: 1 late record dropped\n' });
  });

  it('remembers the keys of the last run with --checkpoint, and only those', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.txt');
    const args = ['-i', input, '--checkpoint', join(dir, 'cp'), '--parse', 'split', '--dedupe', 'x[0]', '--within', '10s', '--event-time', 'x[1]', '--event-time-unit', 's', '--map', 'x.join(" ")'];
    writeFileSync(input, 'a 100\nb 101\n');
    expect((await sluice(args)).stdout).toBe('a 100\nb 101\n');
    appendFileSync(input, 'a 105\nc 106\nb 111\n');
    const second = await sluice(args);
    expect(second).toMatchObject({ code: 0, stdout: 'c 106\nb 111\n', stderr: '' });
  });

  it('refuses --within without --dedupe and --dedupe without --within', async () => {
    const stray = await sluice(['--map', 'x', '--within', '1m']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('--within must follow --dedupe');
    const bare = await sluice(['--dedupe', 'x']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("--dedupe: dedupe needs its option 'within'");
  });
});

describe('--session', () => {
  const chain = ['--parse', 'split', '--map', '[x[0], Number(x[1])]', '--session', '10s', '--event-time', 'x[1]', '--event-time-unit', 's', '--count'];

  it("counts each key's sessions, a session ending after GAP without records", async () => {
    const r = await sluice(chain, ['a 100', 'b 101', 'a 105', 'a 120', 'a 125', 'b 140'].join('\n'));
    expect(r).toMatchObject({ code: 0, stderr: '' });
    // in the order they end
    expect(r.stdout).toBe('b\t1\na\t2\na\t2\nb\t1\n');
  });

  it('carries open sessions to the next run with --checkpoint instead of ending them', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.txt');
    const args = ['-i', input, '--checkpoint', join(dir, 'cp'), ...chain];
    writeFileSync(input, 'a 100\nb 101\n');
    expect(await sluice(args)).toMatchObject({ code: 0, stdout: '' });
    appendFileSync(input, 'a 109\nb 130\n');
    // a's session (100, 109) ends at 119, b's first at 111: both behind 130; b's second is open
    expect(await sluice(args)).toMatchObject({ code: 0, stdout: 'b\t1\na\t2\n' });
  });

  it('refuses a session with an aggregate that has a window of its own', async () => {
    const r = await sluice(['--session', '10s', '--count-by-window', '10s']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('count-by-window has a window of its own');
  });
});
