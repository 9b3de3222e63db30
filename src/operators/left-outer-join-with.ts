// left-outer-join-with: join-with that keeps pairs without a row in the table, as [k, [v, null]].

import { joinWith, tableJoin } from './join-with.ts';
import type { StageOperator } from './operator.ts';

export const leftOuterJoinWith: StageOperator = {
  ...joinWith,
  name: 'left-outer-join-with',
  summary: 'join-with, keeping pairs without a row as [k, [v, null]]',
  example: `--key-by 'x.user' --left-outer-join-with users.csv`,
  stage: (ctx, next) => tableJoin(ctx, next, true),
};
