// The batch loop on a manual clock: aligned batch times, empty batches, end of input, stop.

import { describe, expect, it } from 'vitest';
import { collector } from '../../test/support/batches.ts';
import type { Graph, GraphHooks } from './build.ts';
import { ManualClock } from '../core/clock.ts';
import { Engine } from './engine.ts';
import { Intake } from './intake.ts';
import { rangeDecoder } from '../io/codecs/codec.ts';
import { OnError } from '../core/on-error.ts';
import { Pressure } from '../core/pressure.ts';
import type { Source } from '../io/sources/source.ts';

/** A source the test feeds by hand; it ends when end() is called. */
function handSource() {
  let intake!: Parameters<Source['run']>[0];
  let finish!: () => void;
  const source: Source & { send(text: string): void; end(): void } = {
    label: 'hand',
    run(i) {
      intake = i;
      return new Promise<void>((resolve) => (finish = resolve));
    },
    pause() {},
    resume() {},
    stop: () => finish(),
    send: (text) => intake.text(text),
    end: () => finish(),
  };
  return source;
}

/** A graph of one source and a collecting sink, built with the engine's hooks; `end` closes a batch (a slow sink can be given). */
function graphOf(source: Source, end: () => Promise<void> = async () => {}, maxRate?: number) {
  const out = collector();
  const build = (hooks: GraphHooks): Graph => ({
    inputs: [{ name: 'hand', source, intake: new Intake('hand', rangeDecoder(undefined), out, new OnError('fail'), { afterText: () => hooks.afterText?.(0), onFail: hooks.onFail }), maxRate }],
    stateful: new Map(),
    pressure: new Pressure(hooks.onPressure),
    begin: (t) => out.begin(t),
    end,
    takeRecordsOut: () => 0,
    close: async () => {},
    abort() {},
  });
  return { build, out };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Engine', () => {
  it('aligns batch times to the interval and runs empty batches', async () => {
    const clock = new ManualClock(10_250);
    const source = handSource();
    const { build, out } = graphOf(source);
    const engine = new Engine(build, { batchMs: 1000, clock });
    const done = engine.run();
    await tick();
    source.send('a\nb\n');
    clock.advanceTo(11_000);
    await tick();
    clock.advanceTo(12_000); // nothing arrived: an empty batch still runs
    await tick();
    source.send('c\n');
    source.end();
    await done;
    expect(out.batches).toEqual([
      { time: 11_000, records: ['a', 'b'] },
      { time: 12_000, records: [] },
      { time: 13_000, records: ['c'] },
    ]);
  });

  it('closes the partial batch at once when the input ends', async () => {
    const clock = new ManualClock(0);
    const source = handSource();
    const { build, out } = graphOf(source);
    const done = new Engine(build, { batchMs: 60_000, clock }).run();
    await tick();
    source.send('only\n');
    source.end();
    await done;
    expect(clock.now()).toBe(0);
    expect(out.batches).toEqual([{ time: 60_000, records: ['only'] }]);
  });

  it('holds text that arrives while a batch closes for the next batch', async () => {
    const clock = new ManualClock(0);
    const source = handSource();
    let release!: () => void;
    const { build, out } = graphOf(source, () => new Promise<void>((r) => (release = r))); // a slow sink
    const done = new Engine(build, { batchMs: 1000, clock }).run();
    await tick();
    source.send('first\n');
    clock.advanceTo(1000);
    await tick();
    source.send('late\n'); // arrives while batch 1000 is still being flushed
    release();
    await tick();
    source.end();
    await tick();
    release();
    await done;
    expect(out.batches).toEqual([
      { time: 1000, records: ['first'] },
      { time: 2000, records: ['late'] },
    ]);
  });

  it('stop() closes the open batch and returns', async () => {
    const clock = new ManualClock(0);
    const source = handSource();
    const { build, out } = graphOf(source);
    const engine = new Engine(build, { batchMs: 1000, clock });
    const done = engine.run();
    await tick();
    source.send('x\n');
    engine.stop();
    await done;
    expect(out.batches).toEqual([{ time: 1000, records: ['x'] }]);
  });

  it('--max-rate gives each batch at most rate × interval records, per part (Kafka partitions), held ones too', async () => {
    const clock = new ManualClock(0);
    const source = Object.assign(handSource(), { paused: false, rateParts: () => 3 });
    source.pause = () => void (source.paused = true);
    source.resume = () => void (source.paused = false);
    let release!: () => void;
    const { build, out } = graphOf(source, () => new Promise<void>((r) => (release = r)), 10); // 10 a second for each of 3 parts
    const done = new Engine(build, { batchMs: 1000, clock }).run();
    await tick();
    source.send('x\n'.repeat(50)); // from a pipe: what is over the budget waits in the intake
    expect(source.paused).toBe(true);
    clock.advanceTo(1000);
    await tick();
    expect(source.paused).toBe(false); // the 20 left over go to the next batch, which has room for 10 more
    source.send('y\n'.repeat(40)); // delivered while the batch closes: they count toward the next one
    expect(source.paused).toBe(true);
    release();
    await tick();
    clock.advanceTo(2000);
    await tick();
    release();
    await tick();
    source.end();
    for (let i = 0; i < 3; i++) {
      clock.advanceTo(3000 + i * 1000);
      await tick();
      release();
      await tick();
    }
    await done;
    expect(out.batches.map((b) => b.records.length).filter(Boolean)).toEqual([30, 30, 30]);
    expect(out.batches.flatMap((b) => b.records).join('')).toBe('x'.repeat(50) + 'y'.repeat(40));
  });

  it('reports per-batch stats', async () => {
    const clock = new ManualClock(0);
    const source = handSource();
    const { build } = graphOf(source);
    const stats: unknown[] = [];
    const done = new Engine(build, { batchMs: 1000, clock, onBatch: (s) => stats.push(s) }).run();
    await tick();
    source.send('1\n2\n3\n');
    source.end();
    await done;
    expect(stats).toEqual([{ time: 1000, recordsIn: 3, recordsOut: 0, processingMs: 0, delayMs: 0, sources: { hand: 3 } }]);
  });
});
