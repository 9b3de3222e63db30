// `kinesis://STREAM`: put each batch's records into a Kinesis stream (PutRecords, at most 500 records
// and 5 MiB a request), a pair's key as the partition key (so equal keys land in one shard), any
// other record under a random one. Of a request partly refused (a shard over its throughput) only
// the refused records are sent again, with backoff; the batch fails once they are refused `retries`
// times more. Requests go out one after the other, in order; end() resolves once the stream has the
// whole batch. At least once: a batch that fails after some records went in is sent again whole.

import { randomBytes } from 'node:crypto';
import type { PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { IoError, SinkRefusedError } from '../../core/errors.ts';
import { keyText, RenderError } from '../render/format.ts';
import { credentialsFailure, KINESIS_PARAMS, kinesisClient, kinesisSdk, kinesisTarget, Refused, RetryNotes, withRetries, type KinesisTarget, type Transient } from '../kinesis.ts';
import { OrderedRequests } from './requests.ts';
import type { Sink, SinkDef } from './sink.ts';

/** PutRecords' limits: records and bytes (data and partition keys) a request, bytes a record, a partition key's length. */
const MAX_RECORDS = 500;
const MAX_REQUEST_BYTES = 5 * 1024 * 1024;
const MAX_RECORD_BYTES = 1024 * 1024;
const MAX_KEY_CHARS = 256;

export const kinesis: SinkDef<KinesisTarget> = {
  scheme: 'kinesis',
  usage: 'kinesis://STREAM',
  summary: 'put each record into a Kinesis stream (a pair: partition key and data); refused records sent again',
  params: [
    { name: 'retries', value: { kind: 'int', min: 0, metavar: 'N' }, default: '8', summary: 'how many times records refused (throttled) or a request that failed on the way are sent again, with backoff, before the batch fails' },
    ...KINESIS_PARAMS,
  ],
  target: kinesisTarget,
  create(target, params, options, uri): Sink {
    const retries = params.retries as number;
    const notes = new RetryNotes(uri);
    const closed = new AbortController();
    const { render, withTime, pressure } = options;
    let prefix = '';
    const client = kinesisClient(target);
    client.catch(() => {}); // a request reports it

    /**
     * Put `entries`; what is refused is put again, alone, after a backoff, as is the whole request
     * when it fails on the way: `retries` more sends in all.
     */
    const put = async (entries: PutRecordsRequestEntry[]) => {
      const { PutRecordsCommand } = await kinesisSdk();
      const c = await client;
      let left = entries;
      let sends = 0;
      const attempt = async () => {
        sends++;
        const out = await c.send(new PutRecordsCommand({ StreamName: target.stream, Records: left }), { abortSignal: closed.signal });
        if (!out.FailedRecordCount) return out;
        const refused = out.Records!.flatMap((r, i) => (r.ErrorCode ? [{ entry: left[i]!, code: r.ErrorCode, why: `${r.ErrorCode}: ${r.ErrorMessage ?? ''}`.replace(/[:\s.]+$/, '') }] : []));
        left = refused.map((r) => r.entry);
        const last = sends > retries ? `still refused after ${sends} attempts (${refused[0]!.why}); the batch failed` : `refused (${refused[0]!.why})`;
        throw new Refused(`PutRecords: ${refused.length} of ${entries.length} records ${last}`, refused[0]!.code === 'InternalFailure' ? 'unavailable' : 'throttled');
      };
      const retrying = (why: Transient, reason: string) => notes.retrying(why, reason);
      await withRetries(target, closed.signal, attempt, { tries: retries + 1, retrying }).catch((err: unknown) => {
        const cause = (err as IoError).cause;
        throw credentialsFailure(cause) || (cause as { name?: string }).name === 'ResourceNotFoundException' ? new SinkRefusedError((err as IoError).message, { cause }) : err;
      });
      notes.succeeded();
    };

    const requests = new OrderedRequests(put, { records: MAX_RECORDS, bytes: MAX_REQUEST_BYTES }, pressure);

    return {
      begin(t) {
        prefix = withTime ? `${t}\t` : '';
        requests.begin();
      },
      push(rec) {
        let key: string | undefined;
        let data: Buffer;
        if (Array.isArray(rec) && rec.length === 2) {
          const k: unknown = rec[0];
          if (k != null && k !== '') key = keyText(k);
          data = Buffer.from(prefix + render(rec[1]));
        } else {
          data = Buffer.from(prefix + render(rec));
        }
        if (key !== undefined && key.length > MAX_KEY_CHARS) throw new RenderError(`a partition key of ${key.length} characters: Kinesis takes at most ${MAX_KEY_CHARS}`);
        key ??= randomBytes(8).toString('hex');
        const size = data.length + Buffer.byteLength(key);
        if (size > MAX_RECORD_BYTES) throw new RenderError(`a record of ${size} bytes with its partition key: Kinesis takes at most ${MAX_RECORD_BYTES}`);
        requests.add({ Data: data, PartitionKey: key }, size);
      },
      end: () => requests.end(),
      async close() {
        (await client.catch(() => undefined))?.destroy();
      },
      abort() {
        closed.abort();
      },
    };
  },
};
