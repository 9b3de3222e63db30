// --schedule CRON: a long-running process that makes a --once pass at each tick of a cron pattern
// (5 fields, or 6 with seconds first). A tick that comes while a pass still runs is skipped; a
// signal ends the process once the pass in flight, if any, has finished.

import { Cron } from 'croner';
import { onStopSignal } from './signals.ts';

/** Run `pass` at each tick of `pattern` until a stop signal; rejects with the first pass that fails. */
export function schedule(pattern: string, pass: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let running: Promise<void> | undefined;
    const finish = (err?: unknown) => {
      job.stop();
      unlisten();
      if (err) reject(err);
      else resolve();
    };
    const job = new Cron(pattern, { protect: true }, async () => {
      running = pass();
      try {
        await running;
      } catch (err) {
        finish(err);
      } finally {
        running = undefined;
      }
    });
    // the pass in flight stops on the same signal (runPipeline listens too); no new pass starts
    const unlisten = onStopSignal(() => {
      job.stop();
      if (running) running.then(() => finish(), finish);
      else finish();
    });
  });
}
