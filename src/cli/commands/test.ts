// `sluice test PIPELINE.yaml...`: runs each pipeline's NAME.test.yaml cases on virtual batch times
// (batch i at i × interval, no clock, no sleeping), with the test's input batches in place of the
// sources and the records reaching the sinks compared with the expected batches; prints PASS or
// FAIL with a diff per case, exit 1 if any fails.

import { isDeepStrictEqual } from 'node:util';
import { Command } from 'commander';
import { buildGraph } from '../../runtime/build.ts';
import { ConfigError, EXIT, messageOf } from '../../core/errors.ts';
import { OnError } from '../../core/on-error.ts';
import type { Rec } from '../../core/stream.ts';
import type { Source } from '../../io/sources/source.ts';
import { TestFile, type TestCase } from '../../pipeline/cases.ts';
import { loadPipeline } from '../../pipeline/load.ts';
import type { PipelineSpec } from '../../pipeline/pipeline.ts';
import { checkStreams } from '../run.ts';
import { parseArgs, readText, type CommandDef } from './command.ts';

export const test: CommandDef = {
  name: 'test',
  usage: 'PIPELINE.yaml...',
  summary: 'run the cases of each pipeline\'s NAME.test.yaml (exit 1 if one fails)',
  async run(argv) {
    const program = parseArgs(new Command('sluice test').argument('<files...>', 'pipeline files').description(this.summary), argv);
    if (!program) return EXIT.ok;
    const suites: { file: string; spec: PipelineSpec; cases: TestCase[] }[] = [];
    const problems: string[] = [];
    for (const file of program.args) {
      const testFile = file.replace(/(\.ya?ml)?$/, '.test.yaml');
      const tests = new TestFile(testFile, readText(testFile));
      const loaded = loadPipeline(file, readText(file), { env: { ...process.env, ...tests.env } });
      problems.push(...loaded.problems, ...tests.problems(loaded.spec));
      if (loaded.spec) suites.push({ file, spec: loaded.spec, cases: tests.cases });
    }
    if (problems.length) throw new ConfigError(problems);
    let failed = 0;
    for (const { file, spec, cases } of suites) {
      for (const test of cases) {
        const report = await check(spec, test);
        if (report) failed++;
        process.stdout.write(`${report ? 'FAIL' : 'PASS'}  ${file}: ${test.name}\n${report ?? ''}`);
      }
    }
    const total = suites.reduce((n, s) => n + s.cases.length, 0);
    process.stdout.write(`${total} cases: ${total - failed} passed, ${failed} failed\n`);
    return failed ? EXIT.runtime : EXIT.ok;
  },
};

interface Output {
  time: number;
  records: Rec[];
}

/** Run one case; undefined when it passes, else what went wrong, indented. */
async function check(spec: PipelineSpec, test: TestCase): Promise<string | undefined> {
  let outputs: Map<string, Output[]>;
  try {
    outputs = await runCase(spec, test);
  } catch (err) {
    return `      ${messageOf(err)}\n`;
  }
  let report = '';
  for (const [stream, expected] of test.expect) {
    const actual = (outputs.get(stream) ?? []).map((b) => ({ time: b.time, records: b.records.map(plain) }));
    if (isDeepStrictEqual(actual.map((b) => b.records), expected)) continue;
    report += `      ${stream}: - expected, + actual\n${diff(lines(expected, actual), lines(actual.map((b) => b.records), actual))
      .map((l) => `      ${l}\n`)
      .join('')}`;
  }
  return report || undefined;
}

async function runCase(spec: PipelineSpec, test: TestCase): Promise<Map<string, Output[]>> {
  const outputs = new Map<string, Output[]>();
  const sourceNames = new Map<Source, string>();
  const graph = buildGraph(spec, checkStreams(spec), new OnError(spec.onError === 'fail' ? 'fail' : 'skip'), {
    source(name) {
      const source: Source = { label: name, run: async () => {}, pause() {}, resume() {}, stop() {} };
      sourceNames.set(source, name);
      return source;
    },
    sink(s) {
      const batches: Output[] = [];
      if (!outputs.has(s.from)) outputs.set(s.from, batches);
      return {
        begin: (time) => void batches.push({ time, records: [] }),
        push: (rec) => void batches.at(-1)!.records.push(rec),
        end() {},
        async close() {},
      };
    },
  });
  for (let i = 0; i < test.batches; i++) {
    graph.begin((i + 1) * spec.batchMs);
    for (const { source, intake } of graph.inputs) {
      const batch = test.input.get(sourceNames.get(source)!)?.[i] ?? [];
      if (batch.length) intake.text(`${batch.join('\n')}\n`);
    }
    // the input ends with the last batch, as a file's does in `sluice run`: what waits (windows) comes out
    await graph.end(i === test.batches - 1);
  }
  await graph.close();
  return outputs;
}

/** A record as YAML data can write it: undefined becomes null, as in JSON. */
function plain(rec: Rec): unknown {
  return JSON.parse(JSON.stringify([rec]))[0];
}

/** Batches as lines to diff: a header per batch (with its time where it ran), then a record per line. */
function lines(batches: unknown[][], ran: Output[]): string[] {
  return batches.flatMap((records, i) => [`batch ${i + 1}${ran[i] ? ` (time ${ran[i].time})` : ''}`, ...records.map((r) => `  ${JSON.stringify(r)}`)]);
}

/** A line diff (longest common subsequence): ' ' both, '-' only expected, '+' only actual. */
function diff(a: string[], b: string[]): string[] {
  const common = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i]![j] = a[i] === b[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (j >= b.length || (i < a.length && common[i + 1]![j]! >= common[i]![j + 1]!)) out.push(`- ${a[i++]}`);
    else out.push(`+ ${b[j++]}`);
  }
  return out;
}
