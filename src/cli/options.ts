// The core options of the command line; each is also a top-level key of a pipeline file.
// Together with the operator registry this table drives parsing, --help and the man page.

import { FORMATS } from '../render/format.ts';

export interface OptionDef {
  /** Long name: the flag `--name` and the pipeline file key. */
  name: string;
  short?: string;
  metavar?: string;
  /** The value may be left out (`--print [N]`). */
  optionalValue?: boolean;
  /** May be given more than once (`-i a -i b`). */
  repeat?: boolean;
  summary: string;
  default?: string;
  choices?: readonly string[];
}

export const OPTIONS: readonly OptionDef[] = [
  { name: 'batch', short: 'b', metavar: 'DUR', summary: 'batch interval: 250ms, 1s, 1m', default: '1s' },
  { name: 'in', short: 'i', metavar: 'URI', repeat: true, summary: 'source; repeat for a union of several', default: '-' },
  { name: 'out', short: 'o', metavar: 'URI', repeat: true, summary: 'sink; repeat to fan out', default: '-' },
  { name: 'parse', metavar: 'CODEC', summary: 'decode input lines: json, csv[:header], tsv[:header], clf, split[:SEP], regex:RE' },
  { name: 'format', metavar: 'FMT', summary: 'output format', default: 'text', choices: FORMATS },
  { name: 'print', metavar: 'N', optionalValue: true, summary: "Spark's print(): the first N (10) records of each batch under a Time header" },
  { name: 'with-time', summary: 'prefix each output line with its batch time in ms and a TAB' },
  { name: 'on-error', metavar: 'MODE', summary: 'a bad record: fail, skip (counted), dlq:PATH (written there with the reason)', default: 'fail' },
  { name: 'quiet', short: 'q', summary: 'no summary on stderr' },
  { name: 'verbose', short: 'v', summary: 'per-batch stats on stderr' },
  { name: 'version', short: 'V', summary: 'print the version and exit' },
];
