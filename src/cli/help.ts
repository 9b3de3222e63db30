// The examples and notes shown after the option list in --help (and in the man page), and the
// list of sources and sinks with their URI parameters.

import { SINKS } from '../io/sinks/index.ts';
import { OPERATORS } from '../operators/index.ts';
import { SOURCES } from '../io/sources/index.ts';
import { paramText, type UriDef } from '../io/uri.ts';

export const EXAMPLES: readonly [string, string][] = [
  ['count HTTP statuses every 10 seconds', `tail -F access.log | sluice -b 10s --parse clf --map 'x.status' --count-by-value`],
  ['word count over a socket, Spark-style print', `sluice -i tcp://localhost:9999 --flat-map 'x.split(" ")' --map '[x, 1]' --reduce-by-key 'a + b' --print`],
  ['sum of bytes per host over a whole file', `sluice -i access.log --parse clf --map '[x.host, x.bytes]' --reduce-by-key 'a + b'`],
  ['one output file per batch', `sluice --parse json --filter 'x.level === "error"' -o errors.ndjson --format json`],
];

export const HELP_FOOTER = `
Expressions are JavaScript: a bare expression sees the record as x (a pair [k, v] also as k and v;
a reduce sees a and b); an arrow function such as '(a, b) => a + b' works anywhere. Every expression
also sees t, the batch time in epoch ms (for what a window emits, the window's end).

Operators with a second input, written NAME: STREAM, are entries of a stream's ops in a pipeline
file (sluice run), where streams have names: ${OPERATORS.filter((op) => op.kind === 'pair').map((op) => op.name).join(', ')}.

Examples:
${EXAMPLES.map(([what, cmd]) => `  # ${what}\n  ${cmd}\n`).join('\n')}`;

/** Sources and sinks, a line each, their parameters under them. */
export function uriHelp(): string {
  const list = (defs: readonly UriDef[]) => defs.map((d) => `  ${d.usage.padEnd(32)} ${d.summary}\n${(d.params ?? []).map((p) => `      ${paramText(p)}\n`).join('')}`).join('');
  return `Sources (-i URI):\n${list(SOURCES)}\nSinks (-o URI):\n${list(SINKS)}`;
}
