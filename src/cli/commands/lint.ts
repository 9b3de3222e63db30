// `sluice lint FILE...`: every problem of every file at once, FILE:LINE:COL: message; silent when valid.

import { Command } from 'commander';
import { ConfigError, EXIT } from '../../core/errors.ts';
import { loadPipeline } from '../../pipeline/load.ts';
import { overrideOptions, overrides, parseArgs, readText, type CommandDef } from './command.ts';

export const lint: CommandDef = {
  name: 'lint',
  usage: 'PIPELINE.yaml... [--set KEY=VALUE]... [OPTIONS]',
  summary: 'check pipeline files without running them (exit 78 if invalid)',
  async run(argv) {
    const program = parseArgs(overrideOptions(new Command('sluice lint').argument('<files...>', 'pipeline files').description(this.summary)), argv);
    if (!program) return EXIT.ok;
    const problems = program.args.flatMap((file) => loadPipeline(file, readText(file), { set: overrides(program) }).problems);
    if (problems.length) throw new ConfigError(problems);
    return EXIT.ok;
  },
};
