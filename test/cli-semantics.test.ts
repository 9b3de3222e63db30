// What the command line means, end to end through bin/sluice: core flags after a pipeline file,
// globs of pipeline and test files, unordered test cases, initial states from table files, and
// the messages a user sees when something fails.

import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sluice, tempDir } from './support/cli.ts';

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
