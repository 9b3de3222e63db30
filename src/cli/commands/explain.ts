// `sluice explain [flag chain]`: the pipeline file equivalent to a flag chain.

import { EXIT } from '../../engine/errors.ts';
import { toYaml } from '../../spec/explain.ts';
import { parseChain } from '../chain.ts';
import type { CommandDef } from './command.ts';

export const explain: CommandDef = {
  name: 'explain',
  usage: '[OPTIONS] [OPERATOR FLAGS...]',
  summary: 'print the pipeline file equivalent to a flag chain',
  async run(argv) {
    process.stdout.write(toYaml(parseChain(argv)));
    return EXIT.ok;
  },
};
