// A local Kinesis for the tests and benchmarks: kinesalite (an in-memory implementation of the
// Kinesis API) on a free port, in the test's own process, and what the tests do with it through the
// AWS SDK: create a stream of N shards, put lines, read every record back, reshard. A proxy in front
// of it can refuse some records of each PutRecords, as a shard over its throughput does.

import { createServer, request, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand, MergeShardsCommand, PutRecordsCommand, SplitShardCommand, type Shard } from '@aws-sdk/client-kinesis';

/** Credentials kinesalite takes (it checks only that requests are signed): for sluice's environment too. */
export const AWS_ENV = { AWS_ACCESS_KEY_ID: 'AKIDSLUICETEST', AWS_SECRET_ACCESS_KEY: 'sluice-test-secret-do-not-print', AWS_REGION: 'us-east-1' };

export interface Kinesis {
  endpoint: string;
  client: KinesisClient;
  close: () => Promise<void>;
}

/** kinesalite's options: streams are created and resharded at once. */
export const KINESALITE = { shardLimit: 100, createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 };

/** kinesalite on a free port, in this process (a test never blocks its event loop: sluice runs with spawn()). */
export async function startKinesis(): Promise<Kinesis> {
  const kinesalite = createRequire(import.meta.url)('kinesalite') as (o: object) => Server;
  const server = kinesalite(KINESALITE);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const k = kinesisAt(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  answerEveryTimestamp(server, k);
  return {
    ...k,
    close: async () => {
      await k.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * kinesalite never answers a GetShardIterator AT_TIMESTAMP that no record of the shard is as recent
 * as (its search of the shard ends without calling back); Kinesis answers with an iterator that reads
 * what comes next. So such a request is given to kinesalite as AFTER_SEQUENCE_NUMBER of the newest
 * record (TRIM_HORIZON for a shard with none): not LATEST, which would skip what arrives while the
 * shard is searched.
 */
function answerEveryTimestamp(server: Server, k: Kinesis): void {
  const [kinesalite] = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res) => {
    if (!String(req.headers['x-amz-target']).endsWith('.GetShardIterator')) return kinesalite!(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      let body = Buffer.concat(chunks);
      const ask = JSON.parse(body.toString());
      if (ask.ShardIteratorType === 'AT_TIMESTAMP') {
        const newest = await newestRecord(k, ask.StreamName, ask.ShardId).catch(() => undefined);
        const at = ask.Timestamp * 1000;
        if (newest === undefined && at <= Date.now()) body = Buffer.from(JSON.stringify({ ...ask, ShardIteratorType: 'TRIM_HORIZON', Timestamp: undefined }));
        else if (newest === undefined || newest.arrival < at) {
          const after = newest && { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: newest.sequence };
          body = Buffer.from(JSON.stringify({ ...ask, ShardIteratorType: 'LATEST', ...after, Timestamp: undefined }));
        }
      }
      // the same request again, its body as asked or as rewritten
      const again = Object.assign(Readable.from([body]), { headers: { ...req.headers, 'content-length': String(body.length) }, method: req.method, url: req.url });
      kinesalite!(again as unknown as IncomingMessage, res);
    });
  });
}

/** The arrival time (ms) and sequence number of a shard's newest record, undefined for a shard with none. */
async function newestRecord(k: Kinesis, stream: string, shardId: string): Promise<{ arrival: number; sequence: string } | undefined> {
  let it = (await k.client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
  let newest: { arrival: number; sequence: string } | undefined;
  while (it) {
    const out = await k.client.send(new GetRecordsCommand({ ShardIterator: it }));
    for (const r of out.Records ?? []) newest = { arrival: r.ApproximateArrivalTimestamp!.getTime(), sequence: r.SequenceNumber! }; // in order
    if (!out.Records?.length) break;
    it = out.NextShardIterator;
  }
  return newest;
}

/** A client of the Kinesis at `endpoint` (a kinesalite of another process: the benchmarks'). */
export function kinesisAt(endpoint: string): Kinesis {
  const client = new KinesisClient({ endpoint, requestHandler: new NodeHttpHandler(), region: AWS_ENV.AWS_REGION, credentials: { accessKeyId: AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: AWS_ENV.AWS_SECRET_ACCESS_KEY } });
  return { endpoint, client, close: async () => client.destroy() };
}

export async function createStream(k: Kinesis, name: string, shards: number): Promise<void> {
  await k.client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  await active(k, name);
}

async function active(k: Kinesis, name: string): Promise<void> {
  for (;;) {
    const s = await k.client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (s.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Put `lines` (each its own record, partition key `key(i)`, by default the line) in requests of 500. */
export async function putLines(k: Kinesis, name: string, lines: string[], key: (line: string, i: number) => string = (l) => l): Promise<void> {
  for (let i = 0; i < lines.length; i += 500) {
    let entries = lines.slice(i, i + 500).map((l, j) => ({ Data: Buffer.from(l), PartitionKey: key(l, i + j) }));
    while (entries.length) {
      const out = await k.client.send(new PutRecordsCommand({ StreamName: name, Records: entries }));
      entries = entries.filter((_, j) => out.Records![j]!.ErrorCode);
    }
  }
}

export async function shards(k: Kinesis, name: string): Promise<Shard[]> {
  return (await k.client.send(new ListShardsCommand({ StreamName: name }))).Shards ?? [];
}

export interface Got {
  shard: string;
  key: string;
  data: string;
}

/** Every record of the stream, shard by shard, from the oldest. */
export async function readAll(k: Kinesis, name: string): Promise<Got[]> {
  const got: Got[] = [];
  for (const shard of await shards(k, name)) {
    let it = (await k.client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (it) {
      const out = await k.client.send(new GetRecordsCommand({ ShardIterator: it }));
      for (const r of out.Records ?? []) got.push({ shard: shard.ShardId!, key: r.PartitionKey!, data: Buffer.from(r.Data!).toString() });
      if (!out.Records?.length) break;
      it = out.NextShardIterator;
    }
  }
  return got;
}

/** Split an open shard in two at the middle of its hash range. */
export async function split(k: Kinesis, name: string, shard: Shard): Promise<void> {
  const { StartingHashKey, EndingHashKey } = shard.HashKeyRange!;
  const middle = (BigInt(StartingHashKey!) + BigInt(EndingHashKey!)) / 2n;
  await k.client.send(new SplitShardCommand({ StreamName: name, ShardToSplit: shard.ShardId, NewStartingHashKey: String(middle) }));
  await active(k, name);
}

/** Merge two open shards of adjacent hash ranges. */
export async function merge(k: Kinesis, name: string, a: Shard, b: Shard): Promise<void> {
  await k.client.send(new MergeShardsCommand({ StreamName: name, ShardToMerge: a.ShardId, AdjacentShardToMerge: b.ShardId }));
  await active(k, name);
}

export interface Refusing {
  endpoint: string;
  /** PutRecords requests seen, the records refused so far, and the GetRecords throttled. */
  seen: () => { requests: number; refused: number; throttled: number };
  close: () => Promise<void>;
}

/**
 * A proxy in front of kinesalite that, of each PutRecords, keeps back the records `refuse(i, attempt)`
 * picks (i: the record's index in the request, attempt: the request's number, from 0) and answers
 * them as Kinesis answers a record over a shard's throughput, and answers the first `throttleReads`
 * GetRecords as a shard read too often (400 ProvisionedThroughputExceededException); the rest goes
 * to kinesalite.
 */
export async function refusingProxy(target: string, refuse: (i: number, attempt: number) => boolean, throttleReads = 0): Promise<Refusing> {
  let requests = 0;
  let refused = 0;
  let throttled = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (/\.GetRecords$/.test(String(req.headers['x-amz-target'])) && throttled < throttleReads) {
        throttled++;
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        return res.end(JSON.stringify({ __type: 'ProvisionedThroughputExceededException', message: 'Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.' }));
      }
      const putRecords = /\.PutRecords$/.test(String(req.headers['x-amz-target']));
      const attempt = putRecords ? requests++ : -1;
      let kept: boolean[] = [];
      if (putRecords) {
        const parsed = JSON.parse(body.toString()) as { Records: unknown[] };
        kept = parsed.Records.map((_, i) => !refuse(i, attempt));
        refused += kept.filter((k) => !k).length;
        parsed.Records = parsed.Records.filter((_, i) => kept[i]);
        body = Buffer.from(JSON.stringify(parsed));
      }
      const refusal = { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.' };
      if (putRecords && !kept.some(Boolean)) {
        // nothing left for kinesalite (which refuses an empty request): answered here
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        return res.end(JSON.stringify({ FailedRecordCount: kept.length, Records: kept.map(() => refusal) }));
      }
      const { host: _host, 'content-length': _length, ...headers } = req.headers;
      const up = request(`${target}${req.url}`, { method: req.method, headers: { ...headers, 'content-length': body.length } }, (upRes) => {
        const parts: Buffer[] = [];
        upRes.on('data', (c: Buffer) => parts.push(c));
        upRes.on('end', () => {
          let answer = Buffer.concat(parts);
          if (putRecords && upRes.statusCode === 200) {
            const out = JSON.parse(answer.toString()) as { FailedRecordCount: number; Records: object[] };
            const passed = out.Records[Symbol.iterator]();
            out.Records = kept.map((k) => (k ? passed.next().value! : refusal));
            out.FailedRecordCount += kept.filter((k) => !k).length;
            answer = Buffer.from(JSON.stringify(out));
          }
          res.writeHead(upRes.statusCode!, { ...upRes.headers, 'content-length': answer.length });
          res.end(answer);
        });
      });
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen: () => ({ requests, refused, throttled }),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

