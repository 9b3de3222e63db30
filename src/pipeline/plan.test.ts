// A pipeline is planned once: every shipped example compiles each of its expressions exactly once
// on its way from the file to a runnable plan.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as expr from '../core/expr.ts';
import { operator } from '../operators/index.ts';
import { TestFile } from './cases.ts';
import { loadPipeline } from './load.ts';

vi.mock('../core/expr.ts', async (original) => {
  const actual = await original<typeof import('../core/expr.ts')>();
  return { ...actual, compileExpr: vi.fn(actual.compileExpr), deferExpr: vi.fn(actual.deferExpr) };
});

const DIR = join(import.meta.dirname, '../../pipelines');
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml'));

describe('plan', () => {
  beforeEach(() => vi.clearAllMocks());

  it.each(files)('%s: one compilation per expression', (file) => {
    const testFile = join(DIR, file.replace(/\.yaml$/, '.test.yaml'));
    const env = { ...process.env, ...new TestFile(testFile, readFileSync(testFile, 'utf8')).env };
    const loaded = loadPipeline(file, readFileSync(join(DIR, file), 'utf8'), { env });
    expect(loaded.problems).toEqual([]);
    const isExpr = (kind: string | undefined) => kind === 'expr' || kind === 'value';
    const expressions = Object.values(loaded.plan!.spec.streams)
      .flatMap((s) => s.ops)
      .flatMap((op) => {
        const def = operator(op.op)!;
        return [isExpr(def.arg.kind), ...Object.keys(op.options).map((name) => isExpr(def.options?.[name]?.arg.kind))];
      })
      .filter(Boolean).length;
    expect(expressions).toBeGreaterThan(0);
    expect(vi.mocked(expr.compileExpr).mock.calls.length + vi.mocked(expr.deferExpr).mock.calls.length).toBe(expressions);
  });
});
