// The intake's --max-rate budget: a batch takes at most its budget of records, whatever the reads
// are made of; what arrives while a batch closes counts toward the next one.

import { describe, expect, it } from 'vitest';
import { collector } from '../core/feed.ts';
import { OnError } from '../core/on-error.ts';
import { rangeDecoder } from '../io/codecs/codec.ts';
import { createDecoder } from '../io/codecs/index.ts';
import { Intake } from './intake.ts';

function budgeted(records: number) {
  const out = collector();
  const intake = new Intake('test', rangeDecoder(undefined), out, new OnError('fail'));
  intake.setBudget(records);
  out.begin(1);
  return { intake, out, batch: () => out.batches.at(-1)!.records };
}

describe('Intake with a budget', () => {
  it('takes lines up to the budget; from a pipe the rest waits, from a file it is given back', () => {
    const { intake, batch } = budgeted(3);
    expect(intake.some('a\nb\n')).toBe(4);
    expect(intake.some('c\nd\n')).toBe(2); // 'c\n' taken, 'd\n' to be read again
    expect(intake.full).toBe(true);
    expect(batch()).toEqual(['a', 'b', 'c']);
    const pipe = budgeted(2);
    pipe.intake.text('a\nb\nc\nlast');
    expect(pipe.batch()).toEqual(['a', 'b']);
    expect(pipe.intake.full).toBe(true);
  });

  it("counts what arrives while a batch closes toward the next batch's budget, after what waited", () => {
    const { intake, out, batch } = budgeted(2);
    intake.text('a\nb\nc\n'); // 'c' waits over the budget
    intake.hold(); // the batch closes: 'c' is the next batch's first
    intake.text('d\ne\n'); // 'd' fills the next batch, 'e' waits
    intake.message('m', () => 'kafka'); // a message is always taken: its source pauses at once
    expect(intake.full).toBe(true);
    out.begin(2);
    intake.release();
    expect(batch()).toEqual(['c', 'd', 'm']);
    intake.hold();
    out.begin(3);
    intake.release();
    expect(batch()).toEqual(['e']);
    expect(intake.full).toBe(false);
  });
});

describe('Intake at the end of the input', () => {
  it('refuses a record left open, and not one completed after a checkpoint saw it open', () => {
    const out = collector();
    const bad: string[] = [];
    const onError = new OnError('skip');
    onError.bad = (reason, where) => void bad.push(`${where} ${reason}`);
    const intake = new Intake('test', rangeDecoder(createDecoder('csv')), out, onError);
    out.begin(1);
    intake.file('a.csv');
    intake.text('a,"b\nc\n');
    intake.saved(); // a batch closes with the quoted field still open
    intake.text('d",e\nf,"g\n');
    intake.finish();
    expect(out.batches.at(-1)!.records).toEqual([['a', 'b\nc\nd', 'e']]);
    expect(bad).toEqual(['a.csv:4:3 unterminated quoted field']);
  });
});
