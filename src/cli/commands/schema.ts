// `sluice schema`: the JSON Schema of pipeline files, for editors.

import { Command } from 'commander';
import { EXIT } from '../../core/errors.ts';
import { jsonSchema } from '../../pipeline/json-schema.ts';
import type { CommandDef } from './command.ts';
import { writeStdout } from '../../core/stdout.ts';

export const schema: CommandDef = {
  name: 'schema',
  usage: '',
  summary: 'print the JSON Schema of pipeline files (for editor completion)',
  program() {
    return new Command('sluice schema').description(this.summary);
  },
  async run() {
    writeStdout(`${JSON.stringify(jsonSchema(), null, 2)}\n`);
    return EXIT.ok;
  },
};
