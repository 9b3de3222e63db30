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
