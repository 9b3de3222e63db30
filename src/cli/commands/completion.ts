// `sluice completion bash|zsh|fish`: the shell's completion script, from the flag and operator tables.

import { Argument, Command } from 'commander';
import { EXIT } from '../../core/errors.ts';
import { completionScript, SHELLS, type Shell } from '../completion.ts';
import { parseArgs, type CommandDef } from './command.ts';
import { writeStdout } from '../../core/stdout.ts';

export const completion: CommandDef = {
  name: 'completion',
  usage: SHELLS.join('|'),
  summary: 'print the completion script of a shell (source <(sluice completion bash))',
  program() {
    return new Command('sluice completion').addArgument(new Argument('<shell>', 'the shell').choices(SHELLS)).description(this.summary);
  },
  async run(argv) {
    const program = parseArgs(this.program(), argv);
    if (!program) return EXIT.ok;
    writeStdout(completionScript(program.args[0] as Shell));
    return EXIT.ok;
  },
};
