// What a subcommand is (`sluice run`, `lint`, ...), and the argument parsing they share.

import { existsSync, readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError, reasonOf, UsageError } from '../../core/errors.ts';
import { flagKeyOf, optionsIn } from '../../pipeline/options.ts';
import { ONCE_AND_SCHEDULE } from '../../pipeline/plan.ts';
import { coreOption } from '../chain.ts';
import { writeStdout } from '../../core/stdout.ts';
import { stderr } from '../../core/report.ts';

export interface CommandDef {
  name: string;
  /** What follows the name, as shown in help. */
  usage: string;
  summary: string;
  /** The commander program it parses its arguments with: what shell completion offers. */
  program(): Command;
  /** Runs with the arguments after the name; resolves to the exit status. */
  run(argv: string[]): Promise<number>;
}

/** Parse `argv` with `program`; --help prints and returns undefined, a bad argument is a UsageError. */
export function parseArgs(program: Command, argv: string[]): Command | undefined {
  program.exitOverride().configureOutput({ writeErr: () => {}, writeOut: (text) => writeStdout(text) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError && err.code === 'commander.helpDisplayed') return undefined;
    if (err instanceof CommanderError) throw new UsageError(`${program.name()}: ${err.message.replace(/^error: /, '')}`);
    throw err;
  }
  return program;
}

/**
 * `--set KEY=VALUE` (repeatable), and the core options a file takes at its top level as flags
 * (`--once`, `-v`, `--checkpoint DIR`), which override the file's keys as --set does.
 */
export function overrideOptions(program: Command): Command {
  program.option('--set <KEY=VALUE>', 'override a top-level option of the file (repeatable)', (v: string, prev: string[]) => [...prev, v], []);
  for (const o of optionsIn('top')) program.addOption(coreOption(o));
  return program;
}

/**
 * The overrides given to a program made with overrideOptions, as --set KEY=VALUE texts: the flags
 * after --set, so they win. Flags that contradict each other are a usage error.
 */
export function overrides(program: Command): string[] {
  const opts = program.opts();
  if (opts.once && opts.schedule !== undefined) throw new UsageError(ONCE_AND_SCHEDULE);
  const flags = optionsIn('top').flatMap((o) => {
    const value: unknown = opts[flagKeyOf(o)];
    return value === undefined ? [] : [`${o.name}=${value === true ? (o.bareValue ?? 'true') : String(value)}`];
  });
  return [...(opts.set as string[]), ...flags];
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : reasonOf(err)}`);
  }
}

/**
 * The files a command reports on, each read once: one that cannot be read does not stop the
 * others from being checked, and fails the command at the end as a usage error.
 */
export class Files {
  private readonly texts = new Map<string, string | undefined>();
  private readonly unreadable: string[] = [];

  /** The text of `path`, or undefined (noted) if it cannot be read; `missing` words a file that is not there. */
  read(path: string, missing?: string): string | undefined {
    if (this.texts.has(path)) return this.texts.get(path);
    let text: string | undefined;
    if (missing && !existsSync(path)) this.unreadable.push(missing);
    else {
      try {
        text = readText(path);
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        this.unreadable.push(err.message);
      }
    }
    this.texts.set(path, text);
    return text;
  }

  /** Fail with what was found: files that could not be read (exit 2) after the problems of those read, or the problems (exit 78). */
  check(problems: string[]): void {
    const unique = [...new Set(problems)];
    if (this.unreadable.length) {
      if (unique.length) stderr().write(`${unique.join('\n')}\n`);
      throw new UsageError(this.unreadable.join('\n'));
    }
    if (unique.length) throw new ConfigError(unique);
  }
}
