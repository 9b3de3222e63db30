// right-outer-join: every pair of STREAM, with this stream's values for its key or null (Spark's rightOuterJoin).

import { joinOperator } from './join.ts';

export const rightOuterJoin = joinOperator('right-outer-join', { left: false, right: true }, "like join, keeping STREAM's pairs with no match here: [k, [null, w]]");
