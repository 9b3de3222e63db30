// The core options of the command line; each is also a key of a pipeline file (at the top level, in
// each source or in each sink). Together with the operator registry this table drives parsing,
// pipeline files, --help, the man page and the JSON Schema.

import { Cron } from 'croner';
import { OnError, ON_ERROR_COMPLETION } from '../core/on-error.ts';
import { messageOf } from '../core/errors.ts';
import type { Field } from '../core/values.ts';
import { CODECS, codecUsage, codecWords, createDecoder } from '../io/codecs/index.ts';
import { listenAddress, uriCompletion } from '../io/uri.ts';
import { checkFormat, FORMAT_WORDS } from '../io/render/format.ts';
import { SINKS, sinkFor } from '../io/sinks/index.ts';
import { SOURCES, sourceFor } from '../io/sources/index.ts';

export interface OptionDef extends Field {
  short?: string;
  /** The value may be left out on the command line (`--print [N]`), meaning this. */
  bareValue?: string;
  /** May be given more than once (`-i a -i b`). */
  repeat?: boolean;
  /** Where a pipeline file takes it: at the top level (the default), in each source or sink, or nowhere. */
  scope?: 'source' | 'sink' | 'command-line';
}

/** A cron pattern croner accepts: 5 fields, or 6 with seconds first. */
export function checkCron(pattern: string): void {
  try {
    new Cron(pattern, { paused: true }).stop();
  } catch (err) {
    throw new Error(`bad cron pattern '${pattern}': ${messageOf(err)}`);
  }
}

export const OPTIONS: readonly OptionDef[] = [
  { name: 'batch', short: 'b', value: { kind: 'duration', metavar: 'DUR' }, summary: 'batch interval: 250ms, 1s, 1m', default: '1s' },
  { name: 'in', short: 'i', value: { kind: 'uri' }, repeat: true, summary: 'source; repeat for a union of several', default: '-', scope: 'source', check: (uri) => void sourceFor(uri), complete: uriCompletion(SOURCES) },
  { name: 'out', short: 'o', value: { kind: 'uri' }, repeat: true, summary: 'sink; repeat to fan out', default: '-', scope: 'sink', check: (uri) => void sinkFor(uri), complete: uriCompletion(SINKS) },
  { name: 'parse', value: { kind: 'string', metavar: 'CODEC' }, summary: `decode input lines: ${CODECS.map(codecUsage).join(', ')}`, scope: 'source', check: (codec) => void createDecoder(codec), complete: { words: codecWords() } },
  { name: 'max-line-bytes', value: { kind: 'size', min: 1 }, summary: 'a longer input line is a bad record (see --on-error), dropped as it comes', default: '64M', scope: 'source' },
  { name: 'encoding', value: { kind: 'choice', choices: ['utf8', 'latin1'] }, summary: 'of input and output text: utf8 (bytes that are not UTF-8 become U+FFFD, counted on stderr) or latin1 (a byte is a character: any log passes through unchanged)', default: 'utf8' },
  { name: 'format', value: { kind: 'string', metavar: 'FMT' }, summary: 'output format: text, json, csv, tsv; csv:header, tsv:header write a header, csv:cols=A,B,... names the columns', default: 'text', scope: 'sink', check: checkFormat, complete: { words: FORMAT_WORDS } },
  { name: 'print', value: { kind: 'int', min: 0, metavar: 'N' }, bareValue: '10', summary: "Spark's print(): the first N (10) records of each batch under a Time header", scope: 'sink' },
  { name: 'with-time', value: { kind: 'flag' }, summary: 'prefix each output line with its batch time in ms and a TAB', scope: 'sink' },
  { name: 'on-error', value: { kind: 'string', metavar: 'MODE' }, summary: 'a bad record: fail, skip (counted), dlq:PATH (written there with the reason)', default: 'fail', check: (mode) => void new OnError(mode), complete: ON_ERROR_COMPLETION },
  { name: 'max-rate', value: { kind: 'int', min: 1, metavar: 'N' }, summary: 'at most N × the interval in seconds records a batch from each source (kafka: per partition), the first batch too', scope: 'source' },
  { name: 'adaptive-rate', value: { kind: 'flag' }, summary: "steer each source's rate so a batch takes about one interval to process (Spark's PID backpressure; starts at --max-rate or 10000/s)" },
  { name: 'shutdown-timeout', value: { kind: 'duration', metavar: 'DUR' }, summary: 'after SIGINT, SIGTERM or SIGHUP, exit anyway if the batch in flight is not done by then (default: 10 batch intervals)' },
  { name: 'checkpoint', value: { kind: 'path', metavar: 'DIR' }, summary: 'save source positions, state and windows after each batch; resume from them' },
  { name: 'once', value: { kind: 'flag' }, summary: 'process what is there now (what is new since the checkpoint), then exit: for cron' },
  { name: 'schedule', value: { kind: 'string', metavar: 'CRON' }, summary: "make a --once pass at each tick of a cron pattern ('*/5 * * * *'; 6 fields: seconds first)", check: checkCron },
  { name: 'ui', value: { kind: 'string', metavar: '[HOST:]PORT' }, summary: 'serve a live web page of the run (batches, rates, delays, the graph, dashboard: sinks), /metrics, /ready and /healthz; 127.0.0.1 unless a host is given', check: (text) => void listenAddress(text) },
  { name: 'live', value: { kind: 'flag' }, summary: "redraw stdout's latest batch in place on a terminal: sorted, the rows that fit, with the batch time and rates" },
  { name: 'quiet', short: 'q', value: { kind: 'flag' }, summary: 'no summary on stderr' },
  { name: 'verbose', short: 'v', value: { kind: 'flag' }, summary: 'per-batch stats on stderr: one status line redrawn in place on a terminal' },
  { name: 'version', short: 'V', value: { kind: 'flag' }, summary: 'print the version and exit', scope: 'command-line' },
];

/** The options a pipeline file takes at the top level, in each source, or in each sink. */
export function optionsIn(scope: 'top' | 'source' | 'sink'): OptionDef[] {
  return OPTIONS.filter((o) => (o.scope ?? 'top') === scope);
}

/** An option's name in camelCase: how commander keys the parsed flag. */
export function flagKeyOf(option: OptionDef): string {
  return option.name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The PipelineSpec field an option fills: its flag key, with `Ms` for a duration (the spec keeps milliseconds). */
export function fieldOf(option: OptionDef): string {
  return flagKeyOf(option) + (option.value.kind === 'duration' ? 'Ms' : '');
}
