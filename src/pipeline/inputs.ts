// What a stream reads: the streams and sources in its `from`, and those its pair operators (joins,
// union) name as their second input.

import { operator } from '../operators/index.ts';
import type { StreamSpec } from './pipeline.ts';

export function inputsOf(stream: StreamSpec): string[] {
  const second = stream.ops.filter((o) => operator(o.op)?.arg.kind === 'stream' && typeof o.arg === 'string');
  return [...stream.from, ...second.map((o) => o.arg as string)];
}
