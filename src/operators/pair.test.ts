// The pair operators (joins, cogroup, union, transform-with) on both sides of one batch, with
// Spark's result shapes; and the stage that brings the two sides of a batch together.

import { describe, expect, it } from 'vitest';
import { collector, runPair } from '../../test/support/batches.ts';
import { pairStage, type Rec } from '../core/stream.ts';
import { resolveOps } from './chain.ts';
import { operator } from './index.ts';

/** Combine one batch of each side with operator `name` (and its options) and return the result. */
function combine(name: string, left: Rec[], right: Rec[], options: Record<string, unknown> = {}): Rec[] {
  const { ops, problems } = resolveOps([{ op: name, arg: 'other', options, label: name }], 1000);
  expect(problems).toEqual([]);
  const def = operator(name)!;
  if (!('combine' in def)) throw new Error(`${name} is not a pair operator`);
  const out: Rec[] = [];
  def.combine({ ...ops[0]!.ctx, keep() {} } as never)(left, right, (rec) => out.push(rec));
  return out;
}

const left = [['a', 1], ['b', 2], ['a', 3]];
const right = [['a', 'x'], ['c', 'y'], ['a', 'z']];

describe('pair operators', () => {
  it('join pairs every value of a key on one side with every value on the other', () => {
    expect(combine('join', left, right)).toEqual([['a', [1, 'x']], ['a', [1, 'z']], ['a', [3, 'x']], ['a', [3, 'z']]]);
  });

  it('outer joins keep the unmatched side with null for the missing value', () => {
    expect(combine('left-outer-join', left, right)).toEqual([['a', [1, 'x']], ['a', [1, 'z']], ['a', [3, 'x']], ['a', [3, 'z']], ['b', [2, null]]]);
    expect(combine('right-outer-join', left, right)).toEqual([['a', [1, 'x']], ['a', [1, 'z']], ['a', [3, 'x']], ['a', [3, 'z']], ['c', [null, 'y']]]);
    expect(combine('full-outer-join', left, right)).toEqual([
      ['a', [1, 'x']],
      ['a', [1, 'z']],
      ['a', [3, 'x']],
      ['a', [3, 'z']],
      ['b', [2, null]],
      ['c', [null, 'y']],
    ]);
  });

  it('cogroup gives every key of either side with both lists of values', () => {
    expect(combine('cogroup', left, right)).toEqual([['a', [[1, 3], ['x', 'z']]], ['b', [[2], []]], ['c', [[], ['y']]]]);
  });

  it('compares keys by value, so array keys match', () => {
    expect(combine('join', [[['k', 1], 'v']], [[['k', 1], 'w']])).toEqual([[['k', 1], ['v', 'w']]]);
  });

  it('union appends the other side; transform-with sees both batches', () => {
    expect(combine('union', [1, 2], [3])).toEqual([1, 2, 3]);
    expect(combine('transform-with', [1, 2, 3], [2, 3, 4], { apply: '(a, b) => a.filter((x) => b.includes(x))' })).toEqual([2, 3]);
    expect(combine('transform-with', [], [], { apply: '[a.length, b.length]' })).toEqual([0, 0]);
  });

  it('a join of records that are not pairs names the operator', () => {
    expect(() => combine('join', ['oops'], [])).toThrow(/^join: TypeError: needs pairs \[key, value\], got "oops"$/);
  });
});

describe('pairStage', () => {
  it('emits one batch once both sides have ended, whichever ends first', async () => {
    const out = collector();
    const { left: l, right: r } = pairStage((a, b, emit) => emit([a, b]), out);
    for (const [time, order] of [[1000, [l, r]], [2000, [r, l]]] as const) {
      l.begin(time);
      r.begin(time);
      l.push(`l${time}`);
      r.push(`r${time}`);
      await order[0].end();
      expect(out.batches.at(-1)!.records).toEqual([]);
      await order[1].end();
    }
    expect(out.batches).toEqual([
      { time: 1000, records: [[['l1000'], ['r1000']]] },
      { time: 2000, records: [[['l2000'], ['r2000']]] },
    ]);
  });
});

describe('a pair operator in a chain, batch by batch', () => {
  it("joins each batch of this stream with the same batch of the other (Spark's binary testOperation)", async () => {
    const out = await runPair([[['a', 1]], [['b', 2]], []], [[['a', 'x']], [['a', 'y']], [['c', 'z']]], [['join', 'other']]);
    expect(out).toEqual([
      { time: 1000, records: [['a', [1, 'x']]] },
      { time: 2000, records: [] },
      { time: 3000, records: [] },
    ]);
  });
});
