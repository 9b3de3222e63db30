// Which Kafka client errors are worth retrying, and what is said while retrying: the client's own
// error classes, as a broker's replies and a dead connection produce them.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { MultipleErrors, NetworkError, ProtocolError, ResponseError, TimeoutError } from '@platformatic/kafka';
import { ClusterWait, transient } from './kafka-cluster.ts';

/** A broker's reply to FindCoordinator (API 10) carrying `code`, as the client throws it. */
const reply = (code: number) => new ResponseError(10, 4, { '/': [code, null] }, {});

describe('transient', () => {
  it('tells a cluster out of reach from one that is up but not ready, and both from a real failure', () => {
    expect(transient(new NetworkError('Connection to 127.0.0.1:9 failed.'))).toBe('unreachable');
    expect(transient(new TimeoutError('Timeout while waiting for a response.'))).toBe('unreachable');
    expect(transient(reply(14))).toBe('not ready'); // COORDINATOR_LOAD_IN_PROGRESS
    expect(transient(reply(16))).toBe('not ready'); // NOT_COORDINATOR
    expect(transient(new ProtocolError('LEADER_NOT_AVAILABLE'))).toBe('not ready');
    expect(transient(reply(29))).toBeUndefined(); // TOPIC_AUTHORIZATION_FAILED
    expect(transient(new Error('boom'))).toBeUndefined();
  });

  it('looks inside nested errors, where out of reach wins', () => {
    const both = new MultipleErrors('Cannot connect to any broker.', [reply(14), new NetworkError('Connection failed.')]);
    expect(transient(both)).toBe('unreachable');
    expect(transient(new Error('wrapped', { cause: reply(16) }))).toBe('not ready');
  });
});

describe('ClusterWait', () => {
  afterEach(() => vi.useRealTimers());

  const said = () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((text) => lines.push(String(text)) > 0);
    return lines;
  };

  it('says once that the cluster is out of reach, and that it is connected again', () => {
    const lines = said();
    const wait = new ClusterWait('kafka://h:9/t');
    expect(wait.failed(new NetworkError('Connection failed.'))).toBe(true);
    expect(wait.failed(new NetworkError('Connection failed.'))).toBe(true);
    wait.connected();
    vi.restoreAllMocks();
    expect(lines).toEqual([
      'sluice: kafka://h:9/t: cannot reach the cluster (Connection failed); retrying with backoff until it is up\n',
      'sluice: kafka://h:9/t: connected\n',
    ]);
  });

  it('retries a coordinator that is loading quietly, and says so only when it lasts', () => {
    vi.useFakeTimers({ now: 0 });
    const lines = said();
    const wait = new ClusterWait('kafka://h:9/t');
    expect(wait.failed(reply(14))).toBe(true);
    vi.setSystemTime(29_000);
    expect(wait.failed(reply(14))).toBe(true);
    expect(lines).toEqual([]);
    vi.setSystemTime(31_000);
    wait.failed(reply(14));
    wait.connected();
    vi.restoreAllMocks();
    expect(lines).toEqual([
      "sluice: kafka://h:9/t: the cluster is not ready (The coordinator is loading and hence can't process requests); still retrying\n",
      'sluice: kafka://h:9/t: connected\n',
    ]);
  });

  it('gives up at once on what retrying cannot mend', () => {
    expect(new ClusterWait('kafka://h:9/t').failed(reply(29))).toBe(false);
  });
});
