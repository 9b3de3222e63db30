// Set up for every test file: a sluice a test left running (a timed-out test's producer) is killed
// when its file ends, so it cannot load the machine or a broker for the files after.

import { afterAll } from 'vitest';
import { live } from './cli.ts';

afterAll(() => {
  for (const child of live) child.kill('SIGKILL');
});
