// Crash recovery of tail:, a glob of files and dir: into per-batch files: a batch killed after its sinks is re-run
// byte for byte, though the files grew, rotated and arrived meanwhile; and kill -9 at random points
// of a growing, rotating log loses and repeats no line.

import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sluice, start, tempDir, type Result } from './support/cli.ts';
import { eventually, numbered } from './support/eventually.ts';
import { random } from './support/random.ts';

/** The per-batch files written so far, by name (temporary files start with a dot). */
function batchFiles(out: string): Map<string, string> {
  let names: string[];
  try {
    names = readdirSync(out);
  } catch {
    return new Map();
  }
  return new Map(names.filter((f) => !f.startsWith('.')).map((f) => [f, readFileSync(join(out, f), 'utf8')]));
}

const linesIn = (files: Map<string, string>) => [...files.values()].flatMap((text) => text.split('\n').filter(Boolean));

/** Lines that occur more than once, and how many distinct lines there are. */
function tally(lines: string[]): { repeated: string[]; distinct: number } {
  const seen = new Map<string, number>();
  for (const line of lines) seen.set(line, (seen.get(line) ?? 0) + 1);
  return { repeated: [...seen].filter(([, n]) => n > 1).map(([line]) => line), distinct: seen.size };
}

// long lines at --max-rate: each batch gets a slice of the backlog, so a crash comes in the middle of it
const pad = '.'.repeat(100);
const padded = (tag: string, from: number, n: number) => numbered(tag, from, n).replaceAll('\n', `${pad}\n`);

/** Write a file into a watched directory the way producers should: a dotfile renamed into place. */
function moveIn(dir: string, name: string, text: string): void {
  writeFileSync(join(dir, `.${name}`), text);
  renameSync(join(dir, `.${name}`), join(dir, name));
}

interface Case {
  /** The source URI, over files made under `dir`, and the lines they hold. */
  setUp(dir: string): { uri: string; lines: number };
  /** What happens while sluice is down after the crash: more input, a rotation. Returns the lines added. */
  meanwhile(dir: string): number;
  /** The source ends by itself (files read once): a run without --once reads to the end and exits. */
  finite?: boolean;
}

const cases: Record<string, Case> = {
  'tail:': {
    setUp(dir) {
      writeFileSync(join(dir, 'app.log'), padded('first', 0, 20_000));
      return { uri: `tail:${join(dir, 'app.log')}*?from=start&poll=20ms`, lines: 20_000 };
    },
    meanwhile(dir) {
      appendFileSync(join(dir, 'app.log'), padded('late', 0, 3000));
      renameSync(join(dir, 'app.log'), join(dir, 'app.log.1'));
      writeFileSync(join(dir, 'app.log'), padded('rotated', 0, 2000));
      return 5000;
    },
  },
  'a glob of files': {
    setUp(dir) {
      mkdirSync(join(dir, 'in'));
      for (let f = 10; f < 30; f++) writeFileSync(join(dir, 'in', `part-${f}`), padded(`file${f}`, 0, 1000));
      return { uri: join(dir, 'in', 'part-*'), lines: 20_000 };
    },
    meanwhile(dir) {
      writeFileSync(join(dir, 'in', 'part-05'), padded('file05', 0, 1000)); // sorts before every file read
      appendFileSync(join(dir, 'in', 'part-29'), padded('more29', 0, 500));
      return 1500;
    },
    finite: true,
  },
  'dir:': {
    setUp(dir) {
      const inbox = join(dir, 'inbox');
      mkdirSync(inbox);
      for (let f = 0; f < 20; f++) moveIn(inbox, `part-${f}`, padded(`file${f}`, 0, 1000));
      return { uri: `dir:${inbox}?from=start&poll=20ms`, lines: 20_000 };
    },
    meanwhile(dir) {
      for (let f = 20; f < 25; f++) moveIn(join(dir, 'inbox'), `part-${f}`, padded(`file${f}`, 0, 1000));
      return 5000;
    },
  },
};

describe.each(Object.keys(cases))('%s re-runs a batch killed after its sinks, before its checkpoint', (name) => {
  const { setUp, meanwhile, finite } = cases[name]!;

  /** Crash after the sinks of the third batch with lines, change the input, restart with `rerun`; the files before and all lines. */
  async function crashAndRerun(once: boolean, rerun: (args: string[], dir: string, total: number) => Promise<Result>) {
    const dir = tempDir();
    const { uri, lines } = setUp(dir);
    const out = join(dir, 'out');
    const args = ['-b', '50ms', '-i', uri, '--max-rate', '20000', '--checkpoint', join(dir, 'cp'), '-o', join(out, 'part.txt')];
    if (once) args.push('--once');
    const crashed = await sluice(args, '', { env: { SLUICE_FAULT: 'crash-after-sinks:3' } });
    expect(crashed.signal).toBe('SIGKILL');
    const before = batchFiles(out);
    expect([...before.values()].filter(Boolean).length).toBe(3); // empty batches before them do not count
    expect(before.get([...before.keys()].sort().at(-1)!)).not.toBe(''); // the batch to re-run has lines
    expect(linesIn(before).length).toBeLessThan(lines); // the crash came in the middle of the input
    const total = lines + meanwhile(dir);
    const r = await rerun(args, dir, total);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // the third batch was written again under the same name with the same lines, in the same order
    const after = batchFiles(out);
    for (const [f, text] of before) expect(after.get(f), f).toBe(text);
    const { repeated, distinct } = tally(linesIn(after));
    expect(repeated.slice(0, 5)).toEqual([]);
    expect(distinct).toBe(total);
  }

  it('with --once', { timeout: 60_000 }, () => crashAndRerun(true, (args) => sluice(args)));

  it('following live', { timeout: 60_000 }, () =>
    crashAndRerun(false, async (args, dir, total) => {
      if (finite) return sluice(args);
      const { child, done } = start(args);
      await eventually(() => linesIn(batchFiles(join(dir, 'out'))).length >= total, 'every line', 30_000);
      child.kill('SIGTERM');
      return done;
    }));
});

const SEED = 20261126;
const KILLS = 12;

describe('recovery of tail: from kill -9', () => {
  it(`loses and repeats no line of a growing, rotating log across ${KILLS} kills at random points (seed ${SEED})`, { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const log = join(dir, 'app.log');
    const out = join(dir, 'out');
    writeFileSync(log, '');
    const args = ['-b', '50ms', '-i', `tail:${log}*?from=start&poll=20ms`, '--checkpoint', join(dir, 'cp'), '-o', join(out, 'part.txt')];
    const next = random(SEED);
    // the application: 100 lines every 5 ms, the log renamed away (logrotate's create mode) every 5000
    let written = 0;
    let rotations = 0;
    const writer = setInterval(() => {
      appendFileSync(log, numbered('line', written, 100));
      written += 100;
      if (written % 5000 === 0) renameSync(log, `${log}.${++rotations}`);
    }, 5);
    let killed = 0;
    try {
      for (let run = 0; run < KILLS; run++) {
        const { child, done } = start(args);
        await new Promise((r) => setTimeout(r, 200 + next() * 500));
        if (child.kill('SIGKILL')) killed++;
        await done;
      }
    } finally {
      clearInterval(writer);
    }
    const { child, done } = start(args);
    // lines only this run can read: the runs before may have read all the others, and a SIGTERM sent
    // before this one has started would end it before its handler is there
    appendFileSync(log, numbered('line', written, 100));
    written += 100;
    await eventually(() => linesIn(batchFiles(out)).length >= written, 'every line', 30_000);
    child.kill('SIGTERM');
    const last = await done;
    expect(last.stderr).toBe('');
    expect(last.code).toBe(0);
    expect(killed).toBe(KILLS);
    expect(rotations).toBeGreaterThan(2);

    const { repeated, distinct } = tally(linesIn(batchFiles(out)));
    expect(repeated.slice(0, 5)).toEqual([]);
    expect(distinct).toBe(written);
  });
});
