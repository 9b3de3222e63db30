// DESIGN.md §6 end to end: a word count scaled out over Kafka with the shipped pipelines. Stage 1
// splits lines into [word, 1] keyed by the word; stage 2 runs as three members of one consumer group,
// each keeping running totals (update-state) for the words of its partitions. One member is killed
// with SIGKILL while words flow: the others take its partitions over from its last commit, and the
// totals of all three add up to an independent count of the input.

import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createTopic, groupProgress, groupState, kafkaUp, kcat, until, watch } from './support/kafka.ts';

const SPLIT = 'pipelines/kafka-wordcount-split.yaml';
const COUNT = 'pipelines/kafka-wordcount-count.yaml';

/** Lines of words drawn from a small vocabulary by a seeded generator, the same every run. */
function text(lines: number): string[] {
  const vocabulary = 'the quick brown fox jumps over a lazy dog while seven wizards box and vex daft jim'.split(' ');
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: lines }, () => Array.from({ length: 1 + Math.floor(next() * 8) }, () => vocabulary[Math.floor(next() * vocabulary.length)]).join(' '));
}

function countWords(lines: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of lines.flatMap((l) => l.split(' '))) counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}

/** The totals a stage-2 member printed in batch `time` (its last batch if not given): `time TAB word TAB total` lines. */
function totalsAt(output: string, time?: number): Map<string, number> {
  const rows = output.split('\n').filter(Boolean).map((l) => l.split('\t'));
  const at = time ?? Math.max(...rows.map(([t]) => Number(t)));
  return new Map(rows.filter(([t]) => Number(t) === at).map(([, word, total]) => [word!, Number(total)]));
}

/** Times of the batches a member has finished, sinks and commit included (its -v lines on stderr). */
function finishedBatches(stderr: string): number[] {
  return [...stderr.matchAll(/batch (\d+): /g)].map((m) => Number(m[1]));
}

const broker = kafkaUp();

describe.skipIf(!broker)('a word count scaled out over Kafka', () => {
  const b = broker!;

  it('adds up exactly when one of three counting members is killed with SIGKILL mid-run', async () => {
    const id = randomBytes(3).toString('hex');
    const env = { KAFKA: b, LINES: `lines-${id}`, WORDS: `words-${id}` };
    await createTopic(b, env.LINES, 3);
    await createTopic(b, env.WORDS, 6);
    const group = `count-${env.WORDS}`;
    const counters = [0, 1, 2].map(() => watch(['run', COUNT, '--set', 'verbose=true'], '', env));
    await until('three counters in a stable group', async () => {
      const g = await groupState(b, group);
      return g.state === 'Stable' && g.members === 3;
    }, 30_000);
    const splitter = watch(['run', SPLIT], '', env);
    const [victim, ...survivors] = counters as [(typeof counters)[0], ...typeof counters];

    // words flow for about 16 s: through the kill and through the rebalance that follows it, once
    // the victim's session has timed out (10 s), so the survivors hand partitions over mid-stream
    const input = text(6000);
    const slices = 40;
    let killedAt: number | undefined;
    for (let i = 0; i < slices; i++) {
      const slice = input.slice((i * input.length) / slices, ((i + 1) * input.length) / slices);
      kcat(b, ['-P', '-t', env.LINES], `${slice.join('\n')}\n`);
      await sleep(400);
      if (i === 4) {
        // right after a batch of the victim is committed, so its last output is its committed state,
        // while words still flow into the batch it has open
        await until('the victim to count some words', () => victim.out() !== '');
        const seen = finishedBatches(victim.err()).length;
        await until('the victim to finish one more batch', () => finishedBatches(victim.err()).length > seen);
        victim.child.kill('SIGKILL');
        killedAt = finishedBatches(victim.err()).at(-1);
      }
    }
    const killed = await victim.done;
    expect(killed.signal).toBe('SIGKILL');

    await until('both stages to have committed everything', async () => {
      for (const [g, topic] of [[`split-${env.LINES}`, env.LINES], [group, env.WORDS]] as const) {
        const { ends, committed } = await groupProgress(b, g, topic);
        if (committed.some((c, p) => c < ends[p]!)) return false;
      }
      return (await groupState(b, group)).members === 2;
    }, 60_000);
    for (const run of [splitter, ...survivors]) run.child.kill('SIGTERM');
    const results = await Promise.all([splitter, ...survivors].map((run) => run.done));
    for (const r of results) expect(r.code).toBe(0);

    const victimTotals = totalsAt(killed.stdout, killedAt);
    expect(victimTotals.size).toBeGreaterThan(0);
    const totals = new Map<string, number>();
    for (const part of [victimTotals, ...results.slice(1).map((r) => totalsAt(r.stdout))]) {
      for (const [word, n] of part) totals.set(word, (totals.get(word) ?? 0) + n);
    }
    expect(Object.fromEntries([...totals].sort())).toEqual(Object.fromEntries([...countWords(input)].sort()));
    // the victim's words went on being counted by the others
    const survivorWords = new Set(results.slice(1).flatMap((r) => [...totalsAt(r.stdout).keys()]));
    for (const word of victimTotals.keys()) expect(survivorWords).toContain(word);
    for (const r of results) expect(r.stderr).not.toContain('cannot commit');
  }, 150_000);
});
