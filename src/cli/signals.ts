// The signals that stop a run: SIGINT, SIGTERM and SIGHUP (a closed terminal) all ask for a graceful
// stop. The first one gives the signals back their default action, so that a second one ends the
// process at once (status 128 + its number) even while the main thread is busy in an expression
// that never returns. A guard thread holds the time limit of the graceful stop the same way, and
// watches the main thread: once one stretch of work has held it for a second (an expression that
// runs away), the signals have their default action until the stretch ends, as no handler can run.

import { Worker } from 'node:worker_threads';
import { writeSync } from 'node:fs';
import { note, noteText } from '../core/report.ts';

export const STOP_SIGNALS = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof STOP_SIGNALS;

const names = Object.keys(STOP_SIGNALS) as StopSignal[];
const subscribers = new Set<(signal: StopSignal) => void>();
let listening = false;
/** A first signal has been taken: from then on the signals keep their default action. */
let stopping = false;
/** The main thread is in a stretch of HELD_MS or more: the signals have their default action until it ends. */
let held = false;

const now = (signal: StopSignal) => process.exit(STOP_SIGNALS[signal]);

function first(signal: StopSignal): void {
  stopping = true;
  // one already on its way is answered at once (added before `first` goes: the watch stays open);
  // after this turn of the event loop there is no listener, and the kernel's default action answers
  for (const s of names) process.on(s, now).removeListener(s, first);
  setImmediate(() => {
    for (const s of names) process.removeListener(s, now);
    for (const stop of [...subscribers]) stop(signal);
  });
}

/** Call `onStop` at the first stop signal; returns a function that stops listening. */
export function onStopSignal(onStop: (signal: StopSignal) => void): () => void {
  subscribers.add(onStop);
  if (!listening) {
    listening = true;
    if (!held) for (const s of names) process.on(s, first);
  }
  return () => subscribers.delete(onStop);
}

/** How long one stretch of the main thread may last before the stop signals act at once. */
const HELD_MS = 1000;
/** How often the main thread shows it is free, and the guard looks. */
const BEAT_MS = 100;
/** What the guard has the main thread run, in an interrupt of whatever holds it. */
const HOLD = Symbol.for('sluice.held');

/**
 * Tiny on purpose: it runs nothing but timers. `end` messages end the process after a time; a `watch`
 * message is a counter the main thread moves while it is free: when it stands still for HELD_MS, the
 * guard has the main thread call its HOLD function through the inspector, which reaches a thread busy
 * in JavaScript (no signal handler can, and a thread of Node's gets no signals of its own).
 */
const GUARD = `const { parentPort } = require('node:worker_threads');
const { writeSync } = require('node:fs');
function interruptMain() {
  // connected just for this call: a session still open at exit has Node wait for the debugger to go
  const session = new (require('node:inspector').Session)();
  session.connectToMainThread();
  session.post('Runtime.evaluate', { expression: 'globalThis[Symbol.for(${JSON.stringify(HOLD.description)})]()' }, () => session.disconnect());
}
parentPort.on('message', ({ end, watch }) => {
  if (end) setTimeout(() => { writeSync(2, end.text); process.kill(process.pid, end.signal); }, end.ms);
  if (watch) {
    let last = Atomics.load(watch, 0), since = Date.now();
    setInterval(() => {
      const beat = Atomics.load(watch, 0);
      if (beat !== last) {
        last = beat;
        since = Date.now();
      } else if (Date.now() - since >= ${HELD_MS}) {
        since = Infinity; // once a stretch
        interruptMain();
      }
    }, ${BEAT_MS});
  }
});`;

let guardThread: Worker | undefined;
function guard(): Worker {
  if (!guardThread) {
    // stdout, stderr: true leave its streams unpiped: piped, they made Node's stream of this thread's stdout (src/core/stdout.ts)
    guardThread = new Worker(GUARD, { eval: true, stdout: true, stderr: true });
    guardThread.unref(); // it must not keep a finished run alive
  }
  return guardThread;
}

/**
 * Unless the process has ended within `ms`, write `text` on stderr and end it with `signal`, from the
 * guard thread: a timer of the main thread would wait for the expression that holds it up.
 */
export function endAfter(ms: number, signal: StopSignal, text: string): void {
  guard().postMessage({ end: { ms, signal, text } });
}

let beat: Int32Array | undefined;

/**
 * From now on, a stretch of the main thread that lasts HELD_MS gives the stop signals their default
 * action until it ends (with `verbose`, a note says so): for runs with expressions, which may never
 * return; the guard thread costs a short run some 7 ms, and any run 17 MB of memory (a thread of Node's own).
 */
export function watchForRunaways(verbose: boolean): void {
  if (beat) return;
  beat = new Int32Array(new SharedArrayBuffer(4));
  const text = noteText(`the main thread has been busy for ${HELD_MS / 1000} s in one go (in an expression that never returns?): until it is free, a stop signal ends sluice at once`);
  (globalThis as Record<symbol, unknown>)[HOLD] = () => {
    if (held) return;
    held = true;
    for (const s of names) process.removeListener(s, first).removeListener(s, now);
    if (verbose) writeSync(2, text); // not the stream, whose write this may have interrupted
  };
  setInterval(() => {
    Atomics.add(beat!, 0, 1);
    if (!held) return;
    held = false;
    if (!listening || stopping) return;
    for (const s of names) process.on(s, first);
    if (verbose) note('the main thread is free again: a stop signal finishes the batch in flight');
  }, BEAT_MS).unref();
  guard().postMessage({ watch: beat });
}
