// `sluice run PIPELINE.yaml [--set KEY=VALUE] [--once, -v, ...]`: check the whole file first, then run it.

import { Command } from 'commander';
import { ConfigError, EXIT } from '../../core/errors.ts';
import { loadPipeline } from '../../pipeline/load.ts';
import { runPipeline } from '../run.ts';
import { overrideOptions, overrides, parseArgs, readText, type CommandDef } from './command.ts';

export const run: CommandDef = {
  name: 'run',
  usage: 'PIPELINE.yaml [--set K=V] [OPTIONS]',
  summary: 'run a pipeline file (a DAG of named streams)',
  program() {
    return overrideOptions(new Command('sluice run').argument('<file>', 'the pipeline file').description(this.summary));
  },
  async run(argv) {
    const program = parseArgs(this.program(), argv);
    if (!program) return EXIT.ok;
    const file = program.args[0]!;
    const loaded = loadPipeline(file, readText(file), { set: overrides(program) });
    if (!loaded.plan) throw new ConfigError(loaded.problems);
    await runPipeline(loaded.plan);
    return EXIT.ok;
  },
};
