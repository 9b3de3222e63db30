// dedupe: drops a record whose key E was kept less than DUR before it, by batch time or, with
// --event-time, by the records' own times (Spark's dropDuplicatesWithinWatermark). A key is
// remembered from the record kept for it until DUR has passed (in event time: until the watermark
// passes its time + DUR), so the state holds only the keys of the last DUR.

import type { Fn } from '../core/expr.ts';
import { recordTimeOf } from './event-time.ts';
import { KeyMap } from './keymap.ts';
import { guard, type StageOperator } from './operator.ts';
import { checkEventTime, EVENT_TIME_OPTIONS } from './window.ts';

export const dedupe: StageOperator = {
  name: 'dedupe',
  kind: 'stage',
  summary: 'drop a record whose key E was seen within --within DUR (by batch time, or by --event-time)',
  group: 'state',
  arg: { kind: 'expr', role: 'record', metavar: 'E' },
  options: {
    within: { arg: { kind: 'duration', metavar: 'DUR' }, summary: 'dedupe: how long a key is remembered after the record kept for it', required: true },
    ...EVENT_TIME_OPTIONS,
  },
  example: `--dedupe x --within 1m`,
  check: checkEventTime,
  stage(ctx, next) {
    const keyOf = guard(ctx.label, ctx.arg as Fn);
    const withinMs = ctx.options.within as number;
    const eventTime = ctx.options['event-time'] === undefined ? undefined : guard(ctx.label, ctx.options['event-time'] as Fn);
    const msPerUnit = ctx.options['event-time-unit'] === 's' ? 1000 : 1;
    const watermarkMs = (ctx.options.watermark as number | undefined) ?? 0;
    /** Each key's time: the batch or event time of the record kept for it. */
    let seen = new KeyMap<number>();
    /** Event time: the latest time seen; the watermark trails it by watermarkMs. */
    let latest = -Infinity;
    /** The earliest time in `seen`: nothing expires before the clock passes it + DUR. */
    let earliest = Infinity;
    let time = 0;

    /** Forget the keys whose time + DUR is not after `now`. */
    function expire(now: number): void {
      if (earliest + withinMs > now) return;
      earliest = Infinity;
      const kept = new KeyMap<number>();
      seen.forEach((s, k) => {
        if (s + withinMs <= now) return;
        kept.set(k, s);
        earliest = Math.min(earliest, s);
      });
      seen = kept;
    }

    function keep(k: unknown, t: number): void {
      seen.set(k, t);
      earliest = Math.min(earliest, t);
    }

    function pushEventTime(rec: unknown): void {
      const t = recordTimeOf(eventTime!(rec), msPerUnit, ctx.label);
      const watermark = latest - watermarkMs;
      // a key seen before the watermark may be forgotten already: as in Spark, such a record is late
      if (t < watermark) {
        ctx.onError.tooLate(`event time ${new Date(t).toISOString()} is behind the watermark ${new Date(watermark).toISOString()}`, ctx.label, rec);
        return;
      }
      const k = keyOf(rec);
      const s = seen.get(k);
      if (s !== undefined && Math.abs(t - s) < withinMs) return;
      if (s === undefined || t > s) keep(k, t); // the later of two kept times forgets less too soon

      next.push(rec);
      if (t > latest) {
        latest = t;
        expire(latest - watermarkMs);
      }
    }

    ctx.keep({
      snapshot: () => ({ seen: [...seen.entries()], latest: Number.isFinite(latest) ? latest : null }),
      restore(saved) {
        const s = saved as { seen: [unknown, number][]; latest: number | null };
        seen = new KeyMap();
        earliest = Infinity;
        for (const [k, t] of s.seen) keep(k, t);
        latest = s.latest ?? -Infinity;
      },
    });

    return {
      begin(t) {
        time = t;
        if (!eventTime) expire(t);
        next.begin(t);
      },
      push: eventTime
        ? pushEventTime
        : (rec) => {
            const k = keyOf(rec);
            if (seen.get(k) !== undefined) return;
            keep(k, time);
            next.push(rec);
          },
      end: (last) => next.end(last),
    };
  },
};
