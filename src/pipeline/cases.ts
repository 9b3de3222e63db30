// A pipeline's test file, NAME.test.yaml beside NAME.yaml: named cases, each with input batches per
// source (lines, or YAML data written as JSON lines) and the expected output batches per stream
// that a sink writes, in order or (`ordered: false`, Spark's useSet) as a set per batch. Checked
// with positions like the pipeline file itself.

import { isMap, type Node } from 'yaml';
import type { PipelineSpec } from './pipeline.ts';
import { didYouMean } from '../core/suggest.ts';
import { YamlFile, type Entry } from './yaml-file.ts';

export interface TestCase {
  name: string;
  /** Per source, its batches of input lines. */
  input: Map<string, string[][]>;
  /** Per stream read by a sink, the batches of records it should get. */
  expect: Map<string, unknown[][]>;
  /** How many batches to run: at least as many as the longest input. */
  batches: number;
  /** Streams whose records are compared per batch without their order (`ordered: false`). */
  unordered: Set<string>;
}

const TEST_FILE = /\.test(\.ya?ml)$/;

/** The test file of a pipeline file: NAME.test.yaml beside NAME.yaml. */
export function testFileOf(pipeline: string): string {
  return pipeline.replace(/(\.ya?ml)?$/, '.test.yaml');
}

/** The pipeline a test file is for (NAME.yaml for NAME.test.yaml); undefined for a file that is no test file. */
export function pipelineOf(file: string): string | undefined {
  return TEST_FILE.test(file) ? file.replace(TEST_FILE, '$1') : undefined;
}

export class TestFile {
  readonly env: Record<string, string> = {};
  readonly cases: TestCase[] = [];
  private readonly yaml: YamlFile;
  /** Where each case names a source or stream, for checking the names against the pipeline. */
  private readonly names: { kind: 'input' | 'expect'; name: string; node: Node }[] = [];

  constructor(file: string, text: string) {
    this.yaml = new YamlFile(file, text);
    if (this.yaml.root === null) {
      if (!this.yaml.problems.count) this.yaml.problems.atOffset(0, 'empty test file: it needs cases');
      return;
    }
    for (const e of this.yaml.entries(this.yaml.root, 'test file', 'a map with cases (and env)')) {
      if (e.key === 'cases') this.readCases(e.value);
      else if (e.key === 'env') this.readEnv(e);
      else this.yaml.problems.at(e.keyNode, `unknown key '${e.key}' at the top level${didYouMean(e.key, ['cases', 'env'])}`);
    }
  }

  /** Every problem of the file, including names that `spec` has no source or sink stream for. */
  problems(spec: PipelineSpec | undefined): string[] {
    if (spec) {
      const sources = Object.keys(spec.sources);
      const written = [...new Set(spec.sinks.map((s) => s.from))];
      for (const { kind, name, node } of this.names) {
        const known = kind === 'input' ? sources : written;
        const what = kind === 'input' ? 'source' : 'stream written by a sink';
        if (!known.includes(name)) this.yaml.problems.at(node, `${kind}: no ${what} '${name}'${didYouMean(name, known)} (known: ${known.join(', ')})`);
      }
    }
    return this.yaml.problems.list();
  }

  private readEnv(entry: Entry): void {
    for (const e of this.yaml.entries(entry.value, 'env', 'a map of variable names to values')) {
      const value = this.yaml.scalar(e.value);
      if (typeof value === 'object' || typeof value === 'symbol') this.yaml.problems.at(e.value ?? e.keyNode, `env.${e.key}: needs a single value`);
      else this.env[e.key] = String(value);
    }
  }

  private readCases(node: Node | null): void {
    for (const { key: name, value } of this.yaml.entries(node, 'cases', 'a map of named cases, each with input and expect')) {
      const path = `cases.${name}`;
      const test: TestCase = { name, input: new Map(), expect: new Map(), batches: 0, unordered: new Set() };
      let ordered = true;
      const unordered = new Set<string>();
      for (const e of this.yaml.entries(value, path, 'a map with input, expect (and batches, ordered)')) {
        if (e.key === 'input') this.readBatches(e.value, `${path}.input`, 'input', (n, b) => test.input.set(n, b.map((batch) => batch.map(lineOf))));
        else if (e.key === 'expect') this.readBatches(e.value, `${path}.expect`, 'expect', (n, b) => test.expect.set(n, b), unordered);
        else if (e.key === 'batches') {
          const n = this.yaml.scalar(e.value);
          if (typeof n === 'number' && Number.isInteger(n) && n > 0) test.batches = n;
          else this.yaml.problems.at(e.value ?? e.keyNode, `${path}.batches: needs a whole number of batches to run`);
        } else if (e.key === 'ordered') ordered = this.flag(e, `${path}.ordered`);
        else this.yaml.problems.at(e.keyNode, `unknown key '${e.key}' at ${path}${didYouMean(e.key, ['input', 'expect', 'batches', 'ordered'])}`);
      }
      test.batches = Math.max(test.batches, ...[...test.input.values()].map((b) => b.length));
      test.unordered = ordered ? unordered : new Set(test.expect.keys());
      this.cases.push(test);
    }
  }

  /** `ordered: true|false`. */
  private flag(e: Entry, path: string): boolean {
    const value = this.yaml.scalar(e.value);
    if (typeof value !== 'boolean') this.yaml.problems.at(e.value ?? e.keyNode, `${path}: needs true or false`);
    return value !== false;
  }

  /**
   * `name: [[...batch 1], [...batch 2]]` for each source or stream; an expected stream may also be
   * `name: { ordered: false, batches: [...] }`, its name then added to `unordered`.
   */
  private readBatches(node: Node | null, path: string, kind: 'input' | 'expect', set: (name: string, batches: unknown[][]) => void, unordered?: Set<string>): void {
    for (const { key, keyNode, value: given } of this.yaml.entries(node, path, 'a map of names to lists of batches')) {
      this.names.push({ kind, name: key, node: keyNode });
      let value = given;
      if (unordered && isMap(given)) {
        value = null;
        for (const e of this.yaml.entries(given, `${path}.${key}`, 'a map with batches (and ordered)')) {
          if (e.key === 'batches') value = e.value;
          else if (e.key === 'ordered') {
            if (!this.flag(e, `${path}.${key}.ordered`)) unordered.add(key);
          } else this.yaml.problems.at(e.keyNode, `unknown key '${e.key}' at ${path}.${key}${didYouMean(e.key, ['batches', 'ordered'])}`);
        }
        if (value === null) {
          this.yaml.problems.at(given, `${path}.${key}: needs batches, a list of batches: [[a, b], [c]]`);
          continue;
        }
      }
      const batches = this.yaml.items(value, `${path}.${key}`, 'a list of batches, each a list of records: [[a, b], [c]]');
      const data: unknown[][] = [];
      for (const [i, batch] of batches.entries()) {
        const records = this.yaml.data(batch);
        if (Array.isArray(records)) data.push(records);
        else this.yaml.problems.at(batch ?? value, `${path}.${key}[${i}]: a batch is a list of records ([] for an empty one)`);
      }
      set(key, data);
    }
  }
}

/** An input record as a line: strings as they are, other YAML data as JSON. */
function lineOf(rec: unknown): string {
  return typeof rec === 'string' ? rec : JSON.stringify(rec);
}
