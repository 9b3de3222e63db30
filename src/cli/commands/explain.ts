// `sluice explain [flag chain]`: the pipeline file equivalent to a flag chain.

import { EXIT } from '../../core/errors.ts';
import { toYaml } from '../../pipeline/explain.ts';
import { CHAIN_USAGE, chainProgram, parseChain, planChain } from '../chain.ts';
import type { CommandDef } from './command.ts';
import { writeStdout } from '../../core/stdout.ts';

export const explain: CommandDef = {
  name: 'explain',
  usage: CHAIN_USAGE,
  summary: 'print the pipeline file equivalent to a flag chain',
  program: () => chainProgram([]),
  async run(argv) {
    if (argv.includes('-h') || argv.includes('--help')) {
      writeStdout(`Usage: sluice explain ${this.usage}\n\n${this.summary}; it takes what sluice takes (see sluice --help).\n`);
      return EXIT.ok;
    }
    const spec = parseChain(argv);
    planChain(spec); // a chain that would not run gets its usage error here, not a file that fails lint
    writeStdout(toYaml(spec));
    return EXIT.ok;
  },
};
