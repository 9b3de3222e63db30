// The signals that stop a run: SIGINT, SIGTERM and SIGHUP (a closed terminal) all ask for a graceful
// stop. The first one gives the signals back their default action, so that a second one ends the
// process at once (status 128 + its number) even while the main thread is busy in an expression
// that never returns; a watchdog thread holds the time limit of the graceful stop the same way.

import { Worker } from 'node:worker_threads';

export const STOP_SIGNALS = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof STOP_SIGNALS;

const names = Object.keys(STOP_SIGNALS) as StopSignal[];
const subscribers = new Set<(signal: StopSignal) => void>();
let listening = false;

const now = (signal: StopSignal) => process.exit(STOP_SIGNALS[signal]);

function first(signal: StopSignal): void {
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
    for (const s of names) process.on(s, first);
  }
  return () => subscribers.delete(onStop);
}

/** Tiny on purpose: it starts only once a stop has begun, and runs nothing but its timer. */
const WATCHDOG = `const { workerData: { ms, signal, text } } = require('node:worker_threads');
setTimeout(() => { require('node:fs').writeSync(2, text); process.kill(process.pid, signal); }, ms);`;

/**
 * Unless the process has ended within `ms`, write `text` on stderr and end it with `signal`, from a
 * thread of its own: a timer of the main thread would wait for the expression that holds it up.
 */
export function endAfter(ms: number, signal: StopSignal, text: string): void {
  new Worker(WATCHDOG, { eval: true, workerData: { ms, signal, text } }).unref();
}
