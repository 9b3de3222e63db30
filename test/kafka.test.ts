// kafka:// against a real broker: round trips with keys, headers and metadata, offsets committed only
// after the sinks succeed, at least once across a killed consumer, an unfinished batch replayed exactly
// from a checkpoint, a cluster that is down at start.

import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sluice, tempDir } from './support/cli.ts';
import { createTopic, groupProgress, kafkaDown, kafkaUp, kcat, KAFKA_PORT, readTopic, uniqueTopic, until, watch } from './support/kafka.ts';

function lines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

describe('kafka:// URIs', () => {
  it('are checked before anything runs', async () => {
    const noTopic = await sluice(['-i', 'kafka://localhost:9092']);
    expect(noTopic.code).toBe(2);
    expect(noTopic.stderr).toContain('expected kafka://BROKERS/TOPIC, e.g. kafka://localhost:9092/events');
    const typo = await sluice(['-i', 'kafka://localhost/t?grup=g']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown option 'grup' (did you mean 'group'?)");
    const from = await sluice(['-i', 'kafka://localhost/t?from=start']);
    expect(from.code).toBe(2);
    expect(from.stderr).toContain("from: 'start' is not one of latest, earliest");
    const two = await sluice(['-o', 'kafka://localhost/a,b'], '');
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('a sink writes to one topic, not 2');
  });
});

const broker = kafkaUp();

describe.skipIf(!broker)(`kafka:// with a broker on port ${KAFKA_PORT}`, () => {
  const b = broker!;

  it('reads each message as one record, newlines and all, with its key, headers and metadata', async () => {
    const topic = uniqueTopic('meta');
    await createTopic(b, topic, 3);
    // messages end with \x1e, so that a value can hold newlines; the key is before the tab
    kcat(b, ['-P', '-t', topic, '-K', '\\t', '-D', '\\x1e', '-H', 'source=test', '-H', 'n=1'], 'k1\t{\n  "n": 1\n}\x1ek2\t{"n": 2}\x1ek1\t{"n": 3}\x1e');

    const raw = await sluice(['-i', `kafka://${b}/${topic}?from=earliest`, '--once', '--format', 'json']);
    expect(raw.stderr).toBe('');
    expect(raw.code).toBe(0);
    expect(raw.stdout.trim().split('\n').map((l) => JSON.parse(l)).sort()).toEqual(['{\n  "n": 1\n}', '{"n": 2}', '{"n": 3}']);

    const uri = `kafka://${b}/${topic}?group=${uniqueTopic('g')}&from=earliest&meta=true`;
    const meta = await sluice(['-i', uri, '--parse', 'json', '--once', '--format', 'json']);
    expect(meta.code).toBe(0);
    const recs = meta.stdout.trim().split('\n').map((l) => JSON.parse(l)).sort((x, y) => x.value.n - y.value.n);
    expect(recs.map((r) => [r.key, r.value])).toEqual([['k1', { n: 1 }], ['k2', { n: 2 }], ['k1', { n: 3 }]]);
    for (const r of recs) {
      expect(r.headers).toEqual({ source: 'test', n: '1' });
      expect(r.topic).toBe(topic);
      expect([0, 1, 2]).toContain(r.partition);
      expect(Number.isInteger(r.offset)).toBe(true);
      expect(Math.abs(Date.now() - r.timestamp)).toBeLessThan(60_000);
    }
    expect(recs[0].partition).toBe(recs[2].partition); // one key, one partition
  });

  it('names the message of a bad record: topic-partition@offset', async () => {
    const topic = uniqueTopic('bad');
    kcat(b, ['-P', '-t', topic], '{"ok": 1}\nnot json\n');
    const r = await sluice(['-i', `kafka://${b}/${topic}?from=earliest`, '--parse', 'json', '--once']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${topic}-0@1(:\\d+)?: `));
    expect(r.stdout).toBe('');
  });

  it('writes a pair as key and value, keys partitioned as Java and librdkafka partition them', async () => {
    const topic = uniqueTopic('counts');
    const r = await sluice(['-o', `kafka://${b}/${topic}?create=true&partitions=4`, '--flat-map', 'x.split(" ")', '--map', '[x, 1]', '--reduce-by-key', 'a + b'], 'a b a c\nd a e\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const got = readTopic(b, topic, '%k %s %p\\n').map((l) => l.split(' '));
    expect(Object.fromEntries(got.map(([k, v]) => [k, v]))).toEqual({ a: '3', b: '1', c: '1', d: '1', e: '1' });

    // the same keys through librdkafka's Java-compatible partitioner land in the same partitions
    const ref = uniqueTopic('ref');
    await createTopic(b, ref, 4);
    kcat(b, ['-P', '-t', ref, '-K', ':', '-X', 'partitioner=murmur2_random'], 'a:x\nb:x\nc:x\nd:x\ne:x\n');
    const refPartition = Object.fromEntries(readTopic(b, ref, '%k %p\\n').map((l) => l.split(' ')));
    for (const [k, , p] of got) expect(p).toBe(refPartition[k!]);

    // records that are not pairs: no key, the value rendered by --format
    const json = uniqueTopic('json');
    const j = await sluice(['-o', `kafka://${b}/${json}?create=true`, '--format', 'json', '--map', '({n: +x})'], '1\n2\n');
    expect(j.code).toBe(0);
    expect(readTopic(b, json, '%K|%s\\n')).toEqual(['-1|{"n":1}', '-1|{"n":2}']);
  });

  it('refuses to write to a topic that does not exist, unless ?create=true', async () => {
    const topic = uniqueTopic('missing');
    const r = await sluice(['-o', `kafka://${b}/${topic}`], 'x\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`topic '${topic}' does not exist; create it, or add ?create=true to the URI`);
    expect(kcat(b, ['-L', '-t', topic])).toContain('Unknown topic');
  });

  it('commits offsets only once the sinks succeed: the batch a sink failed is read again', async () => {
    const topic = uniqueTopic('commit');
    await createTopic(b, topic, 1);
    const group = uniqueTopic('g');
    const uri = `kafka://${b}/${topic}?group=${group}&from=earliest&session-timeout=6s`;
    // takes the first batch, refuses the second
    const posts: string[] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        posts.push(body);
        res.writeHead(posts.length === 1 ? 200 : 400).end(posts.length === 1 ? '' : 'refused');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      kcat(b, ['-P', '-t', topic], 'a\nb\n');
      const run = watch(['-b', '300ms', '-i', uri, '-o', `http://127.0.0.1:${(server.address() as AddressInfo).port}/`]);
      await until('the first batch to be posted', () => posts.length === 1);
      kcat(b, ['-P', '-t', topic], 'c\nd\n');
      const failed = await run.done;
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('400 Bad Request: refused');
      expect(posts).toEqual(['a\nb\n', 'c\nd\n']);
    } finally {
      server.close();
    }
    // a and b were committed, c and d were not
    const again = await sluice(['-i', uri, '--once']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('c\nd\n');
    const { ends, committed } = await groupProgress(b, group, topic);
    expect(committed).toEqual(ends);
  });

  it('reads every message at least once across a consumer killed with SIGKILL', async () => {
    const topic = uniqueTopic('kill');
    await createTopic(b, topic, 2);
    const all = Array.from({ length: 3000 }, (_, i) => String(i + 1));
    kcat(b, ['-P', '-t', topic], `${all.join('\n')}\n`);
    const uri = `kafka://${b}/${topic}?group=${uniqueTopic('g')}&from=earliest&session-timeout=6s`;
    const out = join(tempDir(), 'seen');

    const first = watch(['-b', '200ms', '--max-rate', '3000', '-i', uri, '-o', `append:${out}`]);
    await until('some batches to be written', () => lines(out).length >= 600);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    const before = lines(out).length;
    expect(before).toBeLessThan(3000); // killed mid-run

    const second = await sluice(['-b', '200ms', '-i', uri, '-o', `append:${out}`, '--once']);
    expect(second.code).toBe(0);
    const seen = lines(out);
    expect(new Set(seen)).toEqual(new Set(all));
    // read again: only what the killed run wrote after its last commit, at most its last batch
    expect(seen.length - all.length).toBeLessThanOrEqual(600);
    expect(killed.signal).toBe('SIGKILL');
  });

  it('--once reads every partition up to where it ended at the start, while the group rebalances under it', async () => {
    const topic = uniqueTopic('once');
    await createTopic(b, topic, 6);
    // one partition far longer than the others, as when the pass was seen ending with one unread
    const sent: string[] = [];
    for (let p = 0; p < 6; p++) {
      const batch = Array.from({ length: p === 3 ? 24_000 : 500 }, (_, i) => `p${p}-${i}`);
      kcat(b, ['-P', '-t', topic, '-p', String(p)], `${batch.join('\n')}\n`);
      sent.push(...batch);
    }
    const lone = await sluice(['-b', '100ms', '-i', `kafka://${b}/${topic}?from=earliest`, '--once']);
    expect(lone.stderr).toBe('');
    expect(lone.code).toBe(0);
    expect(lone.stdout.split('\n').filter(Boolean).sort()).toEqual([...sent].sort());

    // two members of a group, the second joining while the first reads: each ends only once the
    // partitions it has are read to their end, and together they read every message
    const uri = `kafka://${b}/${topic}?group=${uniqueTopic('g')}&from=earliest&session-timeout=6s`;
    const dir = tempDir();
    const [out1, out2] = [join(dir, 'one'), join(dir, 'two')];
    const first = watch(['-b', '100ms', '--max-rate', '1500', '-i', uri, '-o', `append:${out1}`, '--once']);
    await until('the first member to read', () => lines(out1).length > 0);
    const second = await sluice(['-b', '100ms', '--max-rate', '1500', '-i', uri, '-o', `append:${out2}`, '--once']);
    const done = await first.done;
    expect([done.code, second.code]).toEqual([0, 0]);
    expect(new Set([...lines(out1), ...lines(out2)])).toEqual(new Set(sent));
  }, 90_000);

  it('replays a batch killed after its sinks, before its checkpoint, exactly: the same messages under the same time', async () => {
    const topic = uniqueTopic('replay');
    await createTopic(b, topic, 1); // one partition: the messages of several may interleave differently in a replay
    const all = Array.from({ length: 1200 }, (_, i) => `m-${i + 1}`);
    kcat(b, ['-P', '-t', topic], `${all.join('\n')}\n`);
    const group = uniqueTopic('g');
    const dir = tempDir();
    const out = join(dir, 'out');
    const args = [
      ...['-b', '200ms', '--max-rate', '300', '--checkpoint', join(dir, 'cp'), '-o', join(out, 'part.txt')],
      ...['-i', `kafka://${b}/${topic}?group=${group}&from=earliest&session-timeout=6s`],
    ];
    const files = () => readdirSync(out).filter((f) => !f.startsWith('.')).sort();
    const read = (f: string) => readFileSync(join(out, f), 'utf8');

    // 60 messages a batch; the first batches are empty while the consumer joins the group (half a
    // second to a second); the crash comes after the third batch of messages, most come after it
    const crashed = await sluice(args, '', { env: { SLUICE_FAULT: 'crash-after-sinks:3' } });
    expect(crashed.signal).toBe('SIGKILL');
    const before = new Map(files().map((f) => [f, read(f)]));
    expect([...before.values()].filter(Boolean).length).toBe(3);
    expect(before.get(files().at(-1)!)).not.toBe(''); // the batch to replay has messages...
    // ...and the group has them committed: only the checkpoint's offsets have them read again
    const written = [...before.values()].join('').split('\n').filter(Boolean);
    expect((await groupProgress(b, group, topic)).committed).toEqual([written.length]);

    const again = await sluice([...args, '--once']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    for (const [f, text] of before) expect(read(f)).toBe(text);
    const seen = files().flatMap((f) => read(f).split('\n').filter(Boolean));
    expect(seen.sort()).toEqual([...all].sort()); // every message exactly once
    expect(files().length).toBeGreaterThan(before.size + 5); // the rest in batches of --max-rate, after the replay too
    const { ends, committed } = await groupProgress(b, group, topic);
    expect(committed).toEqual(ends);
  }, 60_000);

  it('waits for a cluster that is down at start, saying so, reads and writes once it is up, and reads on after it went away', async () => {
    const port = KAFKA_PORT + 100;
    const down = `127.0.0.1:${port}`;
    kafkaDown(port);
    try {
      const reader = watch(['-b', '200ms', '-i', `kafka://${down}/later?group=g&from=earliest`]);
      const writer = watch(['-o', `kafka://${down}/written?create=true`], 'hello\n');
      await until('both to say the cluster is unreachable', () =>
        [reader, writer].every((r) => r.err().includes(`kafka://${down}/`) && r.err().includes('cannot reach the cluster')),
      );
      expect(kafkaUp(port)).toBe(down);
      const wrote = await writer.done;
      expect(wrote.code).toBe(0);
      expect(wrote.stderr).toContain('connected');
      expect(readTopic(down, 'written')).toEqual(['hello']);

      await until('the reader to wait for its topic', () => reader.err().includes("topic 'later' does not exist yet; waiting for it"));
      kcat(down, ['-P', '-t', 'later'], 'x\ny\n');
      await until('the messages to be read', () => reader.out() === 'x\ny\n', 40_000);

      // the broker goes away mid-run and comes back empty (scripts/kafka.sh starts afresh)
      kafkaDown(port);
      expect(kafkaUp(port)).toBe(down);
      kcat(down, ['-P', '-t', 'later'], 'z\n');
      await until('the reader to read on', () => reader.out() === 'x\ny\nz\n', 40_000);
      reader.child.kill('SIGTERM');
      const read = await reader.done;
      expect(read.code).toBe(0);
      expect(read.stderr).toContain('the topic is there');
    } finally {
      kafkaDown(port);
    }
  }, 90_000);
});
