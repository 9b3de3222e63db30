// A ZeroMQ peer for the tests and benchmarks, in a process of its own with the zeromq package, so
// that sluice's ZeroMQ sources and sinks meet the real library on the other end.
//
//   node test/support/zmq-peer.ts push|pub ENDPOINT --count N [--tag T] [--topic T] [--raw HEX] [--bind]
//   node test/support/zmq-peer.ts pull|sub ENDPOINT [--topic T] [--bind]
//
// A sender sends `TAG i` for i < N (two frames [T, line] with --topic; first, one frame of the bytes
// --raw gives), says `sent` on stderr and exits once ZeroMQ has sent them. A PUB (an XPUB, which
// sees subscriptions) waits for its first subscriber before it sends; a PUSH waits for a peer anyway.
// A receiver prints each message's frames joined by a space, a line each. Both say `ready` on stderr
// once bound or connecting.

import * as zmq from 'zeromq';

const [mode, endpoint, ...rest] = process.argv.slice(2);
const flag = (name: string) => rest.includes(`--${name}`);
const option = (name: string) => {
  const i = rest.indexOf(`--${name}`);
  return i < 0 ? undefined : rest[i + 1];
};

async function attach(s: zmq.Socket): Promise<void> {
  if (flag('bind')) await s.bind(endpoint!);
  else s.connect(endpoint!);
  process.stderr.write('ready\n');
}

if (mode === 'push' || mode === 'pub') {
  const s = mode === 'push' ? new zmq.Push() : new zmq.XPublisher();
  s.sendHighWaterMark = 0; // unlimited: a slow reader makes the peer wait, never lose
  await attach(s);
  if (s instanceof zmq.XPublisher) await s.receive(); // the first subscription
  const topic = option('topic');
  const raw = option('raw');
  if (raw) await s.send(Buffer.from(raw, 'hex'));
  const n = Number(option('count') ?? 0);
  const tag = option('tag') ?? 'm';
  for (let i = 0; i < n; i++) await s.send(topic === undefined ? `${tag} ${i}` : [topic, `${tag} ${i}`]);
  process.stderr.write('sent\n');
  s.linger = 10_000;
  s.close();
} else {
  const s = mode === 'pull' ? new zmq.Pull() : new zmq.Subscriber();
  if (s instanceof zmq.Subscriber) s.subscribe(...(option('topic') === undefined ? [] : [option('topic')!]));
  await attach(s);
  for await (const frames of s) process.stdout.write(`${frames.map(String).join(' ')}\n`);
}
