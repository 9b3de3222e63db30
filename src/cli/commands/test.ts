// `sluice test PIPELINE.yaml...`: runs each pipeline's NAME.test.yaml cases on virtual batch times
// (batch i at i × interval, no clock, no sleeping: core/feed.ts), with the test's input batches in place of the
// sources and the records reaching the sinks compared with the expected batches; prints PASS or
// FAIL with a diff per case, exit 1 if any fails. A test file given (a glob of both) stands for its pipeline.

import { isDeepStrictEqual } from 'node:util';
import { Command } from 'commander';
import { collector, feedBatches, unordered, type Batch } from '../../core/feed.ts';
import { buildGraph } from '../../runtime/build.ts';
import { EXIT, messageOf } from '../../core/errors.ts';
import { OnError } from '../../core/on-error.ts';
import type { Rec } from '../../core/stream.ts';
import { pipelineOf, TestFile, testFileOf, type TestCase } from '../../pipeline/cases.ts';
import { loadPipeline, type LoadOptions } from '../../pipeline/load.ts';
import type { Plan } from '../../pipeline/plan.ts';
import { Files, parseArgs, type CommandDef } from './command.ts';
import { writeStdout } from '../../core/stdout.ts';

export const test: CommandDef = {
  name: 'test',
  usage: 'PIPELINE.yaml...',
  summary: 'run the cases of each pipeline\'s NAME.test.yaml (exit 1 if one fails)',
  program() {
    return new Command('sluice test').argument('<files...>', 'pipeline files').description(this.summary);
  },
  async run(argv) {
    const program = parseArgs(this.program(), argv);
    if (!program) return EXIT.ok;
    const suites: { file: string; plan: Plan; cases: TestCase[] }[] = [];
    const problems: string[] = [];
    const files = new Files();
    for (const file of new Set(program.args.map((f) => pipelineOf(f) ?? f))) {
      const suite = loadSuite(file, files);
      if (!suite) continue;
      problems.push(...suite.problems);
      if (suite.plan) suites.push({ file, plan: suite.plan, cases: suite.tests.cases });
    }
    files.check(problems);
    let failed = 0;
    for (const { file, plan, cases } of suites) {
      for (const test of cases) {
        const report = await check(plan, test);
        if (report) failed++;
        writeStdout(`${report ? 'FAIL' : 'PASS'}  ${file}: ${test.name}\n${report ?? ''}`);
      }
    }
    const total = suites.reduce((n, s) => n + s.cases.length, 0);
    writeStdout(`${total} cases: ${total - failed} passed, ${failed} failed\n`);
    return failed ? EXIT.runtime : EXIT.ok;
  },
};

/**
 * A pipeline with its test file, the pipeline loaded with the test's env, and the problems of both;
 * undefined if either cannot be read (`files` has why).
 */
export function loadSuite(file: string, files: Files, options: LoadOptions = {}): { tests: TestFile; plan?: Plan; problems: string[] } | undefined {
  const testFile = testFileOf(file);
  const testText = files.read(testFile, `${file}: no test file ${testFile} beside it`);
  const text = files.read(file);
  if (testText === undefined || text === undefined) return undefined;
  const tests = new TestFile(testFile, testText);
  const loaded = loadPipeline(file, text, { ...options, env: { ...process.env, ...tests.env } });
  return { tests, plan: loaded.plan, problems: [...loaded.problems, ...tests.problems(loaded.plan?.spec)] };
}

/** Run one case; undefined when it passes, else what went wrong, indented. */
async function check(plan: Plan, test: TestCase): Promise<string | undefined> {
  let outputs: Map<string, Batch[]>;
  try {
    outputs = await runCase(plan, test);
  } catch (err) {
    return `      ${messageOf(err)}\n`;
  }
  let report = '';
  for (const [stream, given] of test.expect) {
    let actual = (outputs.get(stream) ?? []).map((b) => ({ time: b.time, records: b.records.map(plain) }));
    let expected = given;
    if (test.unordered.has(stream)) {
      // both sides in one order within each batch: what differs is then what is missing or extra
      actual = unordered(actual);
      expected = unordered(given.map((records) => ({ time: 0, records }))).map((b) => b.records);
    }
    if (isDeepStrictEqual(actual.map((b) => b.records), expected)) continue;
    report += `      ${stream}: - expected, + actual\n${diff(lines(expected, actual), lines(actual.map((b) => b.records), actual))
      .map((l) => `      ${l}\n`)
      .join('')}`;
  }
  return report || undefined;
}

async function runCase(plan: Plan, test: TestCase): Promise<Map<string, Batch[]>> {
  const outputs = new Map<string, Batch[]>();
  const graph = buildGraph(plan, new OnError(plan.spec.onError === 'fail' ? 'fail' : 'skip'), {
    source: (name) => ({ label: name, run: async () => {}, pause() {}, resume() {}, stop() {} }),
    sink(s) {
      const sink = collector();
      if (!outputs.has(s.from)) outputs.set(s.from, sink.batches);
      return { ...sink, async close() {} };
    },
  });
  // the input ends with the last batch, as a file's does in `sluice run`: what waits (windows) comes out
  await feedBatches(graph, test.batches, (i) => {
    for (const { name, intake } of graph.inputs) {
      const batch = test.input.get(name)?.[i] ?? [];
      if (batch.length) intake.text(`${batch.join('\n')}\n`);
    }
  }, { batchMs: plan.spec.batchMs, inputEnds: true });
  await graph.close();
  return outputs;
}

/** A record as YAML data can write it: undefined becomes null, as in JSON. */
function plain(rec: Rec): unknown {
  return JSON.parse(JSON.stringify([rec]))[0];
}

/** Batches as lines to diff: a header per batch (with its time where it ran), then a record per line. */
function lines(batches: unknown[][], ran: Batch[]): string[] {
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
