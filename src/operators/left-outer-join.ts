// left-outer-join: every pair of this stream, with STREAM's values for its key or null (Spark's leftOuterJoin).

import { joinOperator } from './join.ts';

export const leftOuterJoin = joinOperator('left-outer-join', { left: true, right: false }, 'like join, keeping pairs with no match in STREAM: [k, [v, null]]');
