// Runs an aggregator over sliding windows: in processing time over the batches a window spans, or
// in event time over the records' own times, each window emitted once the watermark passes its end.
// In event time each record is judged against the watermark of the records before it, and a window
// is complete the moment the watermark passes its end, so a file gives the same windows and the
// same late records however its lines fall into batches (read sizes, rates, batch intervals).
// A window is cut into panes (a batch; in event time the longest span dividing length and slide)
// holding one partial result each. An aggregator that can subtract keeps a running result that
// adds the panes entering and subtracts those leaving, so a batch costs the same whatever the
// window's length; any other aggregator merges a window's panes when the window is emitted.

import { guard, preview, type OpContext } from './operator.ts';
import { isNumericTime, recordTimeOf, SECONDS_LIKELY_BELOW } from './event-time.ts';
import { note } from '../core/report.ts';
import { setBatchTime } from '../core/expr.ts';
import type { Aggregator, Downstream, Rec } from '../core/stream.ts';

interface Running<S> {
  state: S;
  /** The panes merged into `state` are those starting in [from, to). */
  from: number;
  to: number;
}

/** `inner` builds the per-record operators written between the window and its aggregate, in front of `into`. */
export function windowStage<S>(agg: Aggregator<S>, ctx: OpContext, next: Downstream, inner?: (into: Downstream) => Downstream): Downstream {
  const { lengthMs, slideMs, watermarkMs = 0 } = ctx.window!;
  const timeLabel = ctx.window!.eventTimeLabel ?? ctx.label;
  const eventTime = ctx.window!.eventTime && guard(timeLabel, ctx.window!.eventTime);
  const unit = ctx.window!.eventTimeUnit;
  const msPerUnit = unit === 's' ? 1000 : 1;
  /** Said once: numeric times that look like epoch seconds while no unit was given. */
  let toldSeconds = false;
  const paneMs = eventTime ? gcd(lengthMs, slideMs) : ctx.batchMs;
  const save = agg.save ?? ((s: S) => s);
  const load = agg.load ?? ((saved: unknown) => saved as S);
  const panes = new Map<number, S>();
  /** The end of the last window emitted (or, in event time, passed over for want of records). */
  let done: number | undefined;
  /** Event time: the latest time seen; the watermark trails it by watermarkMs. */
  let latest: number | undefined;
  let running: Running<S> | undefined;
  // processing time: the open batch, which becomes a pane when it closes
  let time = 0;
  let current = agg.empty();
  let records = 0;
  /** Event time: the pane that the record going through the inner operators belongs to. */
  let target = 0;
  /** Windows complete but not yet passed on: they go out, a batch each, when this stage's batch ends. */
  let ready: { end: number; records: Rec[] }[] = [];
  const into: Downstream = {
    begin() {},
    push: eventTime ? addToPane : (rec) => {
      current = agg.add(current, rec);
      records++;
    },
    end() {},
  };
  const head = inner ? inner(into) : into;

  /** The result over [end - lengthMs, end). */
  function resultFor(end: number): S {
    const start = end - lengthMs;
    if (!agg.subtract) {
      let result = agg.empty();
      for (let p = start; p < end; p += paneMs) {
        const pane = panes.get(p);
        if (pane !== undefined) result = agg.merge(result, pane);
      }
      return result;
    }
    if (!running || start >= running.to) {
      // nothing in common with the last window
      for (const p of panes.keys()) if (p < start) panes.delete(p);
      running = { state: agg.empty(), from: start, to: start };
    }
    // add what enters before subtracting what leaves, so a key in both never looks empty
    for (let p = running.to; p < end; p += paneMs) {
      const pane = panes.get(p);
      if (pane !== undefined) running.state = agg.merge(running.state, pane);
    }
    for (let p = running.from; p < start; p += paneMs) {
      const pane = panes.get(p);
      if (pane === undefined) continue;
      running.state = agg.subtract(running.state, pane);
      panes.delete(p);
    }
    running.from = start;
    running.to = end;
    return running.state;
  }

  /** The end of the next window to emit; in event time the next one holding records, if any. */
  function nextEnd(): number | undefined {
    const after = (t: number) => Math.floor(t / slideMs) * slideMs + slideMs;
    if (!eventTime) return after(done ?? time - ctx.batchMs);
    const from = done === undefined ? -Infinity : after(done);
    let best: number | undefined;
    for (const p of panes.keys()) {
      const end = Math.max(from, after(p));
      if (end - lengthMs <= p && (best === undefined || end < best)) best = end;
    }
    return best;
  }

  /** The window ending at `end` is complete: its result is taken now, what arrives later is not in it. */
  function complete(end: number): void {
    const result = resultFor(end);
    done = end;
    const records: Rec[] = [];
    agg.emit(result, (rec) => records.push(rec));
    ready.push({ end, records });
  }

  /** Complete the windows ending by `until`; with `last` (the input has ended) the partial window up to it too. */
  function completeUntil(until: number, last?: number): void {
    for (let end = nextEnd(); end !== undefined && end <= until; end = nextEnd()) complete(end);
    if (last !== undefined && done !== last) complete(last);
    prune(until);
  }

  /** Pass the complete windows on, each as the batch of its end, which its expressions see as `t`. */
  async function emitReady(inputEnded: boolean): Promise<void> {
    const windows = ready;
    ready = [];
    for (const { end, records } of windows) {
      const before = setBatchTime(end);
      let handled: void | Promise<void>;
      try {
        next.begin(end);
        for (const rec of records) next.push(rec);
        handled = next.end(inputEnded);
      } finally {
        setBatchTime(before);
      }
      await handled;
    }
  }

  /** Forget what no later window needs; in event time, records for it are late from now on. */
  function prune(until: number): void {
    if (eventTime && Number.isFinite(until)) done = Math.max(done ?? -Infinity, Math.floor(until / slideMs) * slideMs);
    if (agg.subtract || done === undefined) return; // a running result drops panes as they leave
    // the next window ends a slide later, or in processing time at the next batch if the input ends there
    const start = done + (eventTime ? slideMs : ctx.batchMs) - lengthMs;
    for (const p of panes.keys()) if (p < start) panes.delete(p);
  }

  function pushEventTime(rec: Rec): void {
    const value = eventTime!(rec);
    const t = recordTimeOf(value, msPerUnit, timeLabel);
    if (!toldSeconds && unit === undefined && t < SECONDS_LIKELY_BELOW && isNumericTime(value)) {
      toldSeconds = true;
      note(`${ctx.label}: event time ${preview(value)} is ${isoTime(t)} as epoch ms; if the times are epoch seconds, add --event-time-unit s`);
    }
    if (done !== undefined && t < done + slideMs - lengthMs) {
      ctx.onError.tooLate(`event time ${isoTime(t)} is behind the watermark: windows up to ${isoTime(done)} are already emitted`, ctx.label, rec);
      return;
    }
    if (latest === undefined || t > latest) {
      const before = latest;
      latest = t;
      // the watermark passed the end of a slide: the windows ending by it are complete now
      if (before === undefined || Math.floor((t - watermarkMs) / slideMs) > Math.floor((before - watermarkMs) / slideMs)) completeUntil(t - watermarkMs);
    }
    target = Math.floor(t / paneMs) * paneMs;
    head.push(rec);
  }

  function addToPane(rec: Rec): void {
    const partial = panes.get(target);
    const added = agg.add(partial ?? agg.empty(), rec);
    if (added !== partial) panes.set(target, added);
    if (running && target >= running.from && target < running.to) running.state = agg.add(running.state, rec);
  }

  ctx.keep({
    snapshot: () => ({
      panes: [...panes].map(([p, s]) => [p, save(s)]),
      done: done ?? null,
      latest: latest ?? null,
      running: running ? { state: save(running.state), from: running.from, to: running.to } : null,
    }),
    restore(saved) {
      const s = saved as { panes: [number, unknown][]; done: number | null; latest: number | null; running: Running<unknown> | null };
      panes.clear();
      for (const [p, pane] of s.panes) panes.set(p, load(pane));
      done = s.done ?? undefined;
      latest = s.latest ?? undefined;
      running = s.running ? { ...s.running, state: load(s.running.state) } : undefined;
    },
  });

  return {
    begin(t) {
      time = t;
      current = agg.empty();
      records = 0;
      head.begin(t);
    },
    push: eventTime ? pushEventTime : (rec) => head.push(rec),
    end(inputEnded = false) {
      void head.end(inputEnded); // per-record operators hold nothing back
      if (eventTime) {
        if (inputEnded) completeUntil(Infinity);
      } else {
        if (records) panes.set(time - ctx.batchMs, current);
        current = agg.empty();
        // the input has ended: the partial window up to this batch is emitted too
        if (nextEnd()! <= time || inputEnded) completeUntil(time, inputEnded ? time : undefined);
        else prune(time);
      }
      if (ready.length) return emitReady(inputEnded);
    },
  };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
