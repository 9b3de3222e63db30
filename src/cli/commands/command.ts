// What a subcommand is (`sluice run`, `lint`, ...), and the argument parsing they share.

import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { UsageError } from '../../core/errors.ts';

export interface CommandDef {
  name: string;
  /** What follows the name, as shown in help. */
  usage: string;
  summary: string;
  /** Runs with the arguments after the name; resolves to the exit status. */
  run(argv: string[]): Promise<number>;
}

/** Parse `argv` with `program`; --help prints and returns undefined, a bad argument is a UsageError. */
export function parseArgs(program: Command, argv: string[]): Command | undefined {
  program.exitOverride().configureOutput({ writeErr: () => {}, writeOut: (text) => process.stdout.write(text) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError && err.code === 'commander.helpDisplayed') return undefined;
    if (err instanceof CommanderError) throw new UsageError(`${program.name()}: ${err.message.replace(/^error: /, '')}`);
    throw err;
  }
  return program;
}

/** `--set KEY=VALUE`, repeatable. */
export function setOption(program: Command): Command {
  return program.option('--set <KEY=VALUE>', 'override a top-level option of the file (repeatable)', (v: string, prev: string[]) => [...prev, v], []);
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}
