// full-outer-join: every key of either stream, null for the side that lacks it (Spark's fullOuterJoin).

import { joinOperator } from './join.ts';

export const fullOuterJoin = joinOperator('full-outer-join', { left: true, right: true }, 'like join, keeping unmatched pairs of both sides, with null for the missing value');
