// The registry of subcommands: `sluice NAME ...` runs one of these instead of a flag chain.

import type { CommandDef } from './command.ts';
import { completion } from './completion.ts';
import { explain } from './explain.ts';
import { lint } from './lint.ts';
import { run } from './run.ts';
import { schema } from './schema.ts';
import { test } from './test.ts';

export const COMMANDS: readonly CommandDef[] = [run, lint, explain, test, schema, completion];

export function command(name: string | undefined): CommandDef | undefined {
  return COMMANDS.find((c) => c.name === name);
}
