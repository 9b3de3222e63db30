// The signals that stop a run: SIGINT, SIGTERM and SIGHUP (a closed terminal) all ask for a graceful
// stop; once one has come, a second of any of them exits at once with 128 + its number.

export const STOP_SIGNALS = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof STOP_SIGNALS;

const names = Object.keys(STOP_SIGNALS) as StopSignal[];
let stopping = false;
const now = (signal: StopSignal) => process.exit(STOP_SIGNALS[signal]);

/** Call `onStop` at the first stop signal; returns a function that stops listening. */
export function onStopSignal(onStop: (signal: StopSignal) => void): () => void {
  const first = (signal: StopSignal) => {
    unlisten();
    if (!stopping) {
      stopping = true;
      // added while the first is being handled, so they answer only the next one
      for (const s of names) process.on(s, now);
    }
    onStop(signal);
  };
  const unlisten = () => {
    for (const s of names) process.removeListener(s, first);
  };
  for (const s of names) process.on(s, first);
  return unlisten;
}
