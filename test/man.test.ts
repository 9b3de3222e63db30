// The man page renders without a single warning from groff or man, and says what the tables say.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitStatusText } from '../src/core/errors.ts';
import { COMMANDS } from '../src/cli/commands/index.ts';
import { ROOT } from './support/cli.ts';
import { installed } from './support/programs.ts';

const PAGE = join(ROOT, 'man/sluice.1');

describe.skipIf(!installed('groff') || !installed('man'))('man/sluice.1', () => {
  it('renders without warnings: groff -ww -z -man', () => {
    const r = spawnSync('groff', ['-ww', '-z', '-man', PAGE], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('renders without warnings: man -l, and its SYNOPSIS lists every subcommand', () => {
    const r = spawnSync('man', ['--warnings', '-l', PAGE], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '100', MAN_KEEP_FORMATTING: '' } });
    expect(r.stderr).toBe('');
    const synopsis = r.stdout.slice(r.stdout.indexOf('SYNOPSIS'), r.stdout.indexOf('DESCRIPTION'));
    for (const c of COMMANDS) expect(synopsis).toContain(`sluice ${c.name} ${c.usage}`.trim());
  });
});

it("README's exit statuses are the exit status table's", () => {
  expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`**Exit statuses**: ${exitStatusText()}.`);
});
