// `sluice lint FILE...`: every problem of every file at once, FILE:LINE:COL: message; silent when valid.
// A test file (NAME.test.yaml, as a glob of a pipelines folder gives them) is linted as a test file:
// its cases against NAME.yaml, which is loaded with the test's env.

import { Command } from 'commander';
import { EXIT } from '../../core/errors.ts';
import { pipelineOf } from '../../pipeline/cases.ts';
import { loadPipeline } from '../../pipeline/load.ts';
import { Files, overrideOptions, overrides, parseArgs, type CommandDef } from './command.ts';
import { loadSuite } from './test.ts';

export const lint: CommandDef = {
  name: 'lint',
  usage: 'FILE.yaml... [--set K=V] [OPTIONS]',
  summary: 'check pipeline and test files without running them (exit 78 if invalid)',
  program() {
    return overrideOptions(new Command('sluice lint').argument('<files...>', 'pipeline files and test files').description(this.summary));
  },
  async run(argv) {
    const program = parseArgs(this.program(), argv);
    if (!program) return EXIT.ok;
    const options = { set: overrides(program) };
    const files = new Files();
    const problems = program.args.flatMap((file) => {
      const pipeline = pipelineOf(file);
      if (pipeline) return loadSuite(pipeline, files, options)?.problems ?? [];
      const text = files.read(file);
      return text === undefined ? [] : loadPipeline(file, text, options).problems;
    });
    files.check(problems);
    return EXIT.ok;
  },
};
