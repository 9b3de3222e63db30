// In-process source tests (tail:, dir:): a source run by hand, outside a pipeline, into a list of
// lines, so a test can pause it, stop it, and start it again from a position it saved.

import { rangeDecoder } from '../../src/io/codecs/codec.ts';
import { Intake } from '../../src/runtime/intake.ts';
import { OnError } from '../../src/core/on-error.ts';
import { createSource } from '../../src/io/sources/index.ts';

export function intakeInto(lines: string[]): Intake {
  return new Intake('test', rangeDecoder(undefined), { begin() {}, push: (r) => void lines.push(r as string), end() {} }, new OnError('fail'));
}

/** One --once pass: what it read, and where it stood at the end. */
export async function pass(uri: string, saved?: unknown): Promise<{ lines: string[]; position: unknown }> {
  const source = createSource(uri);
  if (saved !== undefined) source.seek!(saved);
  source.untilNow!();
  const lines: string[] = [];
  await source.run(intakeInto(lines));
  return { lines, position: source.position!() };
}
