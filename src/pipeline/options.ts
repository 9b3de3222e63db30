// The core options of the command line; each is also a top-level key of a pipeline file.
// Together with the operator registry this table drives parsing, --help and the man page.

import { createDecoder } from '../io/codecs/index.ts';
import { OnError } from '../core/on-error.ts';
import { FORMATS } from '../io/render/format.ts';
import { sinkFor } from '../io/sinks/index.ts';
import { sourceFor } from '../io/sources/index.ts';
import { checkCron } from '../cli/schedule.ts';

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
  /** Where a pipeline file takes it: at the top level (the default), in each source or sink, or nowhere. */
  scope?: 'source' | 'sink' | 'command-line';
  /** How its value is written; otherwise a flag without a metavar is a boolean and one with a metavar a string. */
  type?: 'duration' | 'int';
  /** The least value of an `int` (default 0). */
  min?: number;
  /** Checks a value before anything runs (a codec, a URI scheme); throws saying what is wrong. */
  check?: (value: string) => void;
}

export const OPTIONS: readonly OptionDef[] = [
  { name: 'batch', short: 'b', metavar: 'DUR', type: 'duration', summary: 'batch interval: 250ms, 1s, 1m', default: '1s' },
  { name: 'in', short: 'i', metavar: 'URI', repeat: true, summary: 'source; repeat for a union of several', default: '-', scope: 'source', check: (uri) => void sourceFor(uri) },
  { name: 'out', short: 'o', metavar: 'URI', repeat: true, summary: 'sink; repeat to fan out', default: '-', scope: 'sink', check: (uri) => void sinkFor(uri) },
  { name: 'parse', metavar: 'CODEC', summary: 'decode input lines: json, csv[:header], tsv[:header], clf, split[:SEP], regex:RE', scope: 'source', check: (codec) => void createDecoder(codec) },
  { name: 'format', metavar: 'FMT', summary: 'output format', default: 'text', choices: FORMATS, scope: 'sink' },
  { name: 'print', metavar: 'N', optionalValue: true, type: 'int', summary: "Spark's print(): the first N (10) records of each batch under a Time header", scope: 'sink' },
  { name: 'with-time', summary: 'prefix each output line with its batch time in ms and a TAB', scope: 'sink' },
  { name: 'on-error', metavar: 'MODE', summary: 'a bad record: fail, skip (counted), dlq:PATH (written there with the reason)', default: 'fail', check: (mode) => void new OnError(mode) },
  { name: 'max-rate', metavar: 'N', type: 'int', min: 1, summary: 'at most N records a second from each source (kafka: per partition), the first batch too', scope: 'source' },
  { name: 'adaptive-rate', summary: "steer each source's rate so a batch takes about one interval to process (Spark's PID backpressure; starts at --max-rate or 10000/s)" },
  { name: 'shutdown-timeout', metavar: 'DUR', type: 'duration', summary: 'after SIGINT/SIGTERM, exit anyway if the batch in flight is not done by then (default: 10 batch intervals)' },
  { name: 'checkpoint', metavar: 'DIR', summary: 'save source positions, state and windows after each batch; resume from them' },
  { name: 'once', summary: 'process what is there now (what is new since the checkpoint), then exit: for cron' },
  { name: 'schedule', metavar: 'CRON', summary: "make a --once pass at each tick of a cron pattern ('*/5 * * * *'; 6 fields: seconds first)", check: checkCron },
  { name: 'quiet', short: 'q', summary: 'no summary on stderr' },
  { name: 'verbose', short: 'v', summary: 'per-batch stats on stderr' },
  { name: 'version', short: 'V', summary: 'print the version and exit', scope: 'command-line' },
];
