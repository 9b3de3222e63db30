// The kinesis:// source and sink end to end: bin/sluice against kinesalite (a local, in-memory Kinesis
// started here, test/support/kinesis.ts): every record of a stream of several shards read once,
// a split and a merge while reading (nothing lost, each key's records in order: a parent drained
// before its children), a run killed with SIGKILL resumed from --checkpoint (nothing lost, none
// doubled with per-batch files), --max-rate per shard, the sink's partition keys and its retry of
// the records a partial failure refused, and one clear line for a stream, endpoint or credentials
// that are not there.

import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { sluice, start, tempDir } from './support/cli.ts';
import { eventually, linesOf } from './support/eventually.ts';
import { AWS_ENV, createStream, merge, putLines, readAll, refusingProxy, shards, split, startKinesis, type Kinesis } from './support/kinesis.ts';

let k: Kinesis;
beforeAll(async () => {
  k = await startKinesis();
});
afterAll(() => k.close());

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

const env = AWS_ENV;
const unique = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;
const source = (stream: string, params = '') => `kinesis://${stream}?endpoint=${k.endpoint}&from=trim-horizon${params}`;
/** `n` lines `KEY N`, ten keys, N counting up per key: a key's records must come out in order. */
const keyed = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `k${(from + i) % 10} ${from + i}`);
const KEY_OF = (line: string) => line.split(' ')[0]!;

/** Each key's numbers in the order they came out are increasing. */
function expectKeysInOrder(lines: string[]): void {
  const last = new Map<string, number>();
  for (const line of lines) {
    const [key, n] = line.split(' ');
    expect(Number(n), `${key} after ${last.get(key!)}`).toBeGreaterThan(last.get(key!) ?? -1);
    last.set(key!, Number(n));
  }
}

function watch(args: string[]) {
  const run = start(args, { env });
  started.push(run.child);
  return run;
}

describe('kinesis:// source', () => {
  it('reads every record of a stream of four shards once, in order per key, the partition key as x.key with ?meta=true', async () => {
    const stream = unique('four');
    await createStream(k, stream, 4);
    const sent = keyed(8000);
    await putLines(k, stream, sent, KEY_OF);
    expect(new Set((await readAll(k, stream)).map((r) => r.shard)).size).toBe(4);
    const r = await sluice(['-b', '200ms', '-i', source(stream, '&meta=true'), '--once', '--map', '`${x.key}|${x.value}|${x.shard.startsWith("shardId-")}`'], '', { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout.trimEnd().split('\n');
    expect(out).toHaveLength(sent.length);
    expect([...out].sort()).toEqual(sent.map((l) => `${KEY_OF(l)}|${l}|true`).sort());
    expectKeysInOrder(out.map((l) => l.split('|')[1]!));
  });

  it('follows a split and a merge while it reads: nothing lost, none twice, a parent drained before its children', async () => {
    const stream = unique('reshard');
    await createStream(k, stream, 2);
    const out = join(tempDir(), 'out');
    // slow enough that the shards still hold unread records when they are split and merged
    const run = watch(['-b', '200ms', '--max-rate', '1500', '-i', source(stream, '&poll=100ms'), '-o', `append:${out}`]);
    await putLines(k, stream, keyed(3000), KEY_OF);
    await eventually(() => linesOf(out).length > 0, 'the first records');
    expect(linesOf(out).length).toBeLessThan(3000); // the shard split holds records not read yet
    const [first] = (await shards(k, stream)).filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber);
    await split(k, stream, first!);
    await putLines(k, stream, keyed(3000, 3000), KEY_OF);
    const open = (await shards(k, stream)).filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber).sort((a, b) => (BigInt(a.HashKeyRange!.StartingHashKey!) < BigInt(b.HashKeyRange!.StartingHashKey!) ? -1 : 1));
    expect(open).toHaveLength(3);
    await merge(k, stream, open[1]!, open[2]!);
    await putLines(k, stream, keyed(3000, 6000), KEY_OF);
    expect(linesOf(out).length).toBeLessThan(9000); // reading was still under way
    await eventually(() => linesOf(out).length >= 9000, 'every record', 30_000);
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const got = linesOf(out);
    expect([...got].sort()).toEqual(keyed(9000).sort());
    expectKeysInOrder(got);
    expect((await shards(k, stream)).length).toBe(5); // two, the split's two, the merge's one
  }, 60_000);

  it('keeps to --max-rate per shard, pausing GetRecords, and loses nothing', async () => {
    const stream = unique('rate');
    await createStream(k, stream, 2);
    await putLines(k, stream, keyed(1200), KEY_OF);
    const r = await sluice(['-b', '200ms', '--max-rate', '1000', '-v', '-i', source(stream), '--once'], '', { env });
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').sort()).toEqual(keyed(1200).sort());
    // two shards at 1000 a second each: at most 400 in a batch of 200 ms (one more, taken as the cap was reached)
    const counts = [...r.stderr.matchAll(/: (\d+) in,/g)].map((m) => Number(m[1]));
    expect(Math.max(...counts)).toBeLessThanOrEqual(401);
    expect(counts.filter((n) => n > 0).length).toBeGreaterThanOrEqual(3);
  });

  it('backs off while GetRecords is throttled, saying so once, and loses nothing', async () => {
    const stream = unique('throttled');
    await createStream(k, stream, 2);
    await putLines(k, stream, keyed(2000), KEY_OF);
    const proxy = await refusingProxy(k.endpoint, () => false, 6);
    try {
      const r = await sluice(['-b', '200ms', '-i', `kinesis://${stream}?endpoint=${proxy.endpoint}&from=trim-horizon`, '--once'], '', { env });
      expect(r.code).toBe(0);
      expect(r.stdout.trimEnd().split('\n').sort()).toEqual(keyed(2000).sort());
      expect(proxy.seen().throttled).toBe(6);
      expect(r.stderr).toMatch(/^sluice: kinesis:\/\/\S+: throttled \(ProvisionedThroughputExceededException: Rate exceeded for shard \S+ in stream s under account \d+\); backing off$/m);
      expect(r.stderr.match(/backing off/g)).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it('replays a batch killed after its sinks, before its checkpoint, exactly: every record once across the per-batch files', async () => {
    const stream = unique('replay');
    await createStream(k, stream, 2);
    const sent = keyed(1500);
    await putLines(k, stream, sent, KEY_OF);
    const dir = tempDir();
    const outDir = join(dir, 'out');
    const args = ['-b', '200ms', '--max-rate', '300', '--checkpoint', join(dir, 'cp'), '-i', source(stream), '-o', join(outDir, 'part.txt')];
    const files = () => readdirSync(outDir).filter((f) => !f.startsWith('.')).sort();
    const read = (f: string) => readFileSync(join(outDir, f), 'utf8');

    const crashed = await sluice(args, '', { env: { ...env, SLUICE_FAULT: 'crash-after-sinks:3' } });
    expect(crashed.signal).toBe('SIGKILL');
    const before = new Map(files().map((f) => [f, read(f)]));
    expect([...before.values()].filter(Boolean).length).toBe(3);

    const again = await sluice([...args, '--once'], '', { env });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    for (const [f, text] of before) expect(read(f)).toBe(text); // the replayed batch: the same records under the same time
    const seen = files().flatMap((f) => read(f).split('\n').filter(Boolean));
    expect([...seen].sort()).toEqual([...sent].sort());
    expect(files().length).toBeGreaterThan(before.size + 3);
  }, 60_000);

  it('with ?from=latest, replays a first batch killed after its sinks from where that batch began', async () => {
    const stream = unique('latest');
    await createStream(k, stream, 2);
    await putLines(k, stream, ['before 1', 'before 2'], KEY_OF); // there before the start: not read
    const dir = tempDir();
    const outDir = join(dir, 'out');
    const args = ['-b', '200ms', '--max-rate', '300', '--checkpoint', join(dir, 'cp'), '-i', `kinesis://${stream}?endpoint=${k.endpoint}&poll=100ms`, '-o', join(outDir, 'part.txt')];
    const files = () => readdirSync(outDir).filter((f) => !f.startsWith('.')).sort();
    const read = (f: string) => readFileSync(join(outDir, f), 'utf8');
    const crashed = start([...args, '-v'], { env: { ...env, SLUICE_FAULT: 'crash-after-sinks:1' } });
    started.push(crashed.child);
    await eventually(() => /batch \d+: 0 in/.test(crashed.stderr()), 'the first batch');
    const sent = keyed(600);
    await putLines(k, stream, sent, KEY_OF);
    expect((await crashed.done).signal).toBe('SIGKILL');
    const before = new Map(files().map((f) => [f, read(f)]));
    expect([...before.values()].filter(Boolean)).toHaveLength(1);

    const again = await sluice([...args, '--once'], '', { env });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    for (const [f, text] of before) expect(read(f)).toBe(text);
    expect(files().flatMap((f) => read(f).split('\n').filter(Boolean)).sort()).toEqual([...sent].sort());
  }, 60_000);

  it('resumes from --checkpoint after a kill -9 at any moment: nothing lost, none doubled with per-batch files', async () => {
    const stream = unique('kill');
    await createStream(k, stream, 3);
    const sent = keyed(3000);
    await putLines(k, stream, sent, KEY_OF);
    const dir = tempDir();
    const outDir = join(dir, 'out');
    const args = ['-b', '100ms', '--max-rate', '1000', '--checkpoint', join(dir, 'cp'), '-i', source(stream), '-o', join(outDir, 'part.txt')];
    const seen = () => {
      try {
        return readdirSync(outDir).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(outDir, f), 'utf8').split('\n').filter(Boolean));
      } catch {
        return [];
      }
    };
    const first = watch(args);
    await eventually(() => seen().length >= 800, 'some batches', 20_000);
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    expect(seen().length).toBeLessThan(sent.length);
    const again = await sluice([...args, '--once'], '', { env });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(seen().sort()).toEqual([...sent].sort());
  }, 60_000);

  it('says in one line, naming the URI, that a stream does not exist, an endpoint cannot be reached, credentials are missing', async () => {
    const oneLine = (stderr: string, re: RegExp) => {
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(re);
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(stderr).not.toContain(AWS_ENV.AWS_SECRET_ACCESS_KEY);
    };
    const missing = await sluice(['-i', `kinesis://nope?endpoint=${k.endpoint}`], '', { env });
    expect(missing.code).toBe(1);
    oneLine(missing.stderr, new RegExp(`^sluice: error: kinesis://nope\\?endpoint=${k.endpoint}: stream 'nope' does not exist at ${k.endpoint}$`, 'm'));

    const out = await sluice(['-o', `kinesis://nope?endpoint=${k.endpoint}`], 'a\n', { env });
    expect(out.code).toBe(1);
    oneLine(out.stderr, /^sluice: error: kinesis:\/\/nope\?endpoint=\S+: stream 'nope' does not exist at /m);

    const unreachable = await sluice(['-i', 'kinesis://s?endpoint=http://127.0.0.1:1'], '', { env });
    expect(unreachable.code).toBe(1);
    oneLine(unreachable.stderr, /^sluice: error: kinesis:\/\/s\?endpoint=http:\/\/127\.0\.0\.1:1: cannot reach Kinesis at http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)$/m);

    const stream = unique('creds');
    await createStream(k, stream, 1);
    const home = tempDir();
    const bare = { HOME: home, AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', AWS_CONFIG_FILE: join(home, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials') };
    const noCreds = await sluice(['-i', `kinesis://${stream}?endpoint=${k.endpoint}`], '', { env: bare });
    expect(noCreds.code).toBe(1);
    oneLine(noCreds.stderr, /^sluice: error: kinesis:\/\/\S+: no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE/m);

    const badUri = await sluice(['-i', 'kinesis://no way?from=yesterday'], '', { env });
    expect(badUri.code).toBe(2);
    expect(badUri.stderr).toMatch(/^sluice: error: --in: kinesis:\/\/no way\?from=yesterday: /);
    expect(badUri.stderr).toContain("'no way' is not a Kinesis stream name");
    expect(badUri.stderr).toContain("from: 'yesterday' is none of latest, trim-horizon, at-timestamp:ISO");
  });
});

describe('kinesis:// sink', () => {
  it('puts every record, a pair key as the partition key, other records spread over the shards', async () => {
    const stream = unique('sink');
    await createStream(k, stream, 3);
    const lines = keyed(3000);
    const r = await sluice(['-b', '200ms', '--key-by', 'x.split(" ")[0]', '--map-values', 'x.toUpperCase()', '-o', `kinesis://${stream}?endpoint=${k.endpoint}`], `${lines.join('\n')}\n`, { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const got = await readAll(k, stream);
    expect(got.map((g) => `${g.key}:${g.data}`).sort()).toEqual(lines.map((l) => `${KEY_OF(l)}:${l.toUpperCase()}`).sort());
    // a key's records all in one shard, in order
    for (let key = 0; key < 10; key++) expect(new Set(got.filter((g) => g.key === `k${key}`).map((g) => g.shard)).size).toBe(1);
    expectKeysInOrder(got.map((g) => g.data.toLowerCase()));

    const plain = unique('plain');
    await createStream(k, plain, 3);
    const p = await sluice(['-o', `kinesis://${plain}?endpoint=${k.endpoint}`], `${lines.join('\n')}\n`, { env });
    expect(p.code).toBe(0);
    const spread = await readAll(k, plain);
    expect(spread.map((g) => g.data).sort()).toEqual([...lines].sort());
    expect(new Set(spread.map((g) => g.shard)).size).toBe(3);
  });

  it('sends again only the records a partial failure refused, and fails the batch clearly once retries are exhausted', async () => {
    const stream = unique('partial');
    await createStream(k, stream, 2);
    // every third record refused at the first two attempts of each request
    const proxy = await refusingProxy(k.endpoint, (i, attempt) => i % 3 === 0 && attempt < 2);
    try {
      const lines = keyed(1200);
      const r = await sluice(['-b', '10s', '-o', `kinesis://${stream}?endpoint=${proxy.endpoint}`], `${lines.join('\n')}\n`, { env });
      expect(r.code).toBe(0);
      // said once: throttling is said once a minute at most
      expect(r.stderr).toMatch(/^sluice: kinesis:\/\/\S+: throttled \(PutRecords: 167 of 500 records refused \(ProvisionedThroughputExceededException: Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000\)\); backing off\n$/);
      // the first request (500 records) has 167 refused, its retry 56 of those, the next retry none;
      // then the other two requests (500, 200) go through at once
      expect(proxy.seen()).toEqual({ requests: 5, refused: 167 + 56, throttled: 0 });
      expect((await readAll(k, stream)).map((g) => g.data).sort()).toEqual([...lines].sort()); // each once
    } finally {
      await proxy.close();
    }

    const always = await refusingProxy(k.endpoint, (i) => i === 0);
    try {
      const r = await sluice(['-o', `kinesis://${stream}?endpoint=${always.endpoint}&retries=2`], 'a\nb\nc\n', { env });
      expect(r.code).toBe(1);
      // the note that it backs off, then the error
      const [note, error, ...rest] = r.stderr.trimEnd().split('\n');
      expect(rest).toEqual([]);
      expect(note).toMatch(/^sluice: kinesis:\/\/\S+: throttled \(PutRecords: 1 of 3 records refused \(/);
      expect(error).toMatch(/^sluice: error: kinesis:\/\/\S+&retries=2: PutRecords: 1 of 3 records still refused after 3 attempts \(ProvisionedThroughputExceededException: Rate exceeded for shard \S+ in stream s under account \d+\); the batch failed$/);
      expect(always.seen()).toEqual({ requests: 3, refused: 3, throttled: 0 });
    } finally {
      await always.close();
    }
  });
});
