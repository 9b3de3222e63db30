// session: makes the aggregate after it run over each key's sessions, a session closing once its key
// has had no record for GAP (Spark's session_window): by batch time, or with --event-time by the
// records' own times, a session closing the moment the watermark passes its last time + GAP. The
// aggregate sees the values v of a key's pairs [k, v] and what it emits for a session comes out as
// [k, record] in the batch in which the session closes. In event time a record that bridges two open
// sessions of its key merges them, and each record is judged against the watermark of the records
// before it, so a file gives the same sessions however its lines fall into batches.

import type { Aggregator, Downstream, Rec } from '../core/stream.ts';
import { guard, asPair, type ModifierOperator, type OpContext } from './operator.ts';
import { recordTimeOf } from './event-time.ts';
import { KeyMap } from './keymap.ts';
import { checkEventTime, EVENT_TIME_OPTIONS, withEventTime } from './window.ts';

export const session: ModifierOperator = {
  name: 'session',
  kind: 'window',
  summary: "run the next aggregate over each key's sessions, a session closing after GAP without records for its key; emits [k, result] as it closes",
  group: 'window',
  arg: { kind: 'duration', metavar: 'GAP' },
  options: EVENT_TIME_OPTIONS,
  example: `--map '[x, 1]' --session 30s --count`,
  windowOf: (arg, options) => withEventTime({ lengthMs: arg as number, slideMs: arg as number, sessionGapMs: arg as number }, options),
  check: checkEventTime,
};

interface Open<S> {
  state: S;
  /** The times of its first and last records: it lasts until last + GAP. */
  start: number;
  last: number;
}

/** `inner` builds the per-record operators written between the session and its aggregate, in front of `into`; they see the values. */
export function sessionStage<S>(agg: Aggregator<S>, ctx: OpContext, next: Downstream, inner?: (into: Downstream) => Downstream): Downstream {
  const gapMs = ctx.window!.sessionGapMs!;
  const eventTime = ctx.window!.eventTime && guard(ctx.label, ctx.window!.eventTime);
  const msPerUnit = ctx.window!.eventTimeUnit === 's' ? 1000 : 1;
  const watermarkMs = ctx.window!.watermarkMs ?? 0;
  const save = agg.save ?? ((s: S) => s);
  const load = agg.load ?? ((saved: unknown) => saved as S);
  /** Each key's open sessions, in the order they started. */
  let open = new KeyMap<Open<S>[]>();
  /** Sessions closed and not yet emitted. */
  let closed: { k: unknown; session: Open<S> }[] = [];
  /** Event time: the latest time seen; the watermark trails it by watermarkMs. */
  let latest = -Infinity;
  let time = 0;
  /** The session the value going through the inner operators belongs to. */
  let target: Open<S> | undefined;
  const into: Downstream = { begin() {}, push: (v) => void (target!.state = agg.add(target!.state, v)), end() {} };
  const head = inner ? inner(into) : into;
  /** Whether a session has closed by now: GAP has passed since its last record (in event time, the watermark has). */
  const over = (s: Open<S>, now: number) => s.last + gapMs <= now;
  const now = () => (eventTime ? latest - watermarkMs : time);

  function push(rec: Rec): void {
    const [k, v] = asPair(rec, ctx.label);
    const t = eventTime ? recordTimeOf(eventTime(rec), msPerUnit, ctx.label) : time;
    let sessions = open.get(k) ?? [];
    if (eventTime && sessions.some((s) => over(s, now()))) {
      // closed by the watermark of the records before this one, whatever batch it comes in
      for (const s of sessions) if (over(s, now())) closed.push({ k, session: s });
      sessions = sessions.filter((s) => !over(s, now()));
    }
    // the record's own session [t, t + GAP) joins those it overlaps
    const touching = sessions.filter((s) => t + gapMs > s.start && t < s.last + gapMs);
    if (!touching.length && eventTime && t + gapMs <= now()) {
      ctx.onError.tooLate(`event time ${new Date(t).toISOString()} is behind the watermark: its session would have closed at ${new Date(t + gapMs).toISOString()}`, ctx.label, rec);
      if (!sessions.length) open.delete(k);
      return;
    }
    const joined = touching[0] ?? { state: agg.empty(), start: t, last: t };
    for (const other of touching.slice(1)) {
      joined.state = agg.merge(joined.state, other.state);
      joined.last = Math.max(joined.last, other.last);
    }
    joined.start = Math.min(joined.start, t);
    joined.last = Math.max(joined.last, t);
    sessions = [...sessions.filter((s) => !touching.includes(s)), joined].sort((a, b) => a.start - b.start);
    open.set(k, sessions);
    target = joined;
    head.push(v);
    if (t > latest) latest = t;
  }

  /** Close what has closed by now (everything when the input ends) and pass it on, earliest end first. */
  function emit(all: boolean): void {
    const stillOpen = new KeyMap<Open<S>[]>();
    open.forEach((sessions, k) => {
      const left = sessions.filter((s) => {
        if (!all && !over(s, now())) return true;
        closed.push({ k, session: s });
        return false;
      });
      if (left.length) stillOpen.set(k, left);
    });
    open = stillOpen;
    const ending = closed.sort((a, b) => a.session.last - b.session.last);
    closed = [];
    for (const { k, session: s } of ending) agg.emit(s.state, (out) => next.push([k, out]));
  }

  ctx.keep({
    snapshot: () => ({
      open: [...open.entries()].map(([k, sessions]) => [k, sessions.map((s) => [save(s.state), s.start, s.last])]),
      latest: Number.isFinite(latest) ? latest : null,
    }),
    restore(saved) {
      const s = saved as { open: [unknown, [unknown, number, number][]][]; latest: number | null };
      open = KeyMap.from(s.open.map(([k, sessions]) => [k, sessions.map(([state, start, last]) => ({ state: load(state), start, last }))]));
      latest = s.latest ?? -Infinity;
    },
  });

  return {
    begin(t) {
      time = t;
      head.begin(t);
      next.begin(t);
    },
    push,
    end(last = false) {
      void head.end(last); // per-record operators hold nothing back
      emit(last);
      return next.end(last);
    },
  };
}
