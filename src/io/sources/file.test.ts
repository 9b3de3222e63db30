// The order a glob's files are read in: names, but a rotated log's history oldest first.

import { expect, it } from 'vitest';
import { historyOrder } from './file.ts';

it('puts rotations before the live file: numbered ones from the highest, dated ones from the earliest', () => {
  const names = ['b.log', 'access.log', 'access.log.1', 'access.log.10.gz', 'access.log.2.gz', 'app.log-20261201.gz', 'app.log', 'app.log-20261130'];
  expect(names.sort(historyOrder)).toEqual(['access.log.10.gz', 'access.log.2.gz', 'access.log.1', 'access.log', 'app.log-20261130', 'app.log-20261201.gz', 'app.log', 'b.log']);
  // numbered parts that are not rotations keep their name order
  expect(['part-2', 'part-1.txt', 'part-1', 'a.txt'].sort(historyOrder)).toEqual(['a.txt', 'part-1', 'part-1.txt', 'part-2']);
});
