// Avro's binary encoding and Netty's framing: the spec's examples, round trips, and streams that
// cannot be that framing.

import { describe, expect, it } from 'vitest';
import { AvroIpcError, AvroReader, AvroWriter, framed, PackReader } from './avro-ipc.ts';

describe('Avro binary encoding', () => {
  it("writes longs as the spec's zigzag varints and reads them back", () => {
    // the examples of the Avro specification, and the edges of int and of longs that stay exact (|n| ≤ 2^52)
    const cases: [number, number[]][] = [[0, [0x00]], [-1, [0x01]], [1, [0x02]], [-2, [0x03]], [2, [0x04]], [-64, [0x7f]], [64, [0x80, 0x01]]];
    for (const [n, bytes] of cases) {
      expect([...new AvroWriter().long(n).buffer()]).toEqual(bytes);
      expect(new AvroReader(Buffer.from(bytes)).long()).toBe(n);
    }
    for (const n of [2 ** 31 - 1, -(2 ** 31), 2 ** 52, -(2 ** 52)]) expect(new AvroReader(new AvroWriter().long(n).buffer()).long()).toBe(n);
  });

  it('round-trips maps, arrays, strings, bytes and booleans', () => {
    const w = new AvroWriter();
    w.map({ a: 'x', 'ü': 'ÿ' }, (v) => w.string(v))
      .array([Buffer.from([1, 2]), Buffer.alloc(0)], (b) => w.bytes(b))
      .boolean(true)
      .map({}, () => {});
    const r = new AvroReader(w.buffer());
    expect({ ...r.map(() => r.string()) }).toEqual({ a: 'x', 'ü': 'ÿ' });
    expect(r.array(() => [...r.bytes()])).toEqual([[1, 2], []]);
    expect(r.boolean()).toBe(true);
    expect({ ...r.map(() => r.string()) }).toEqual({});
    expect(r.done).toBe(true);
  });

  it('reads blocks with a byte size (a negative count), as other writers may send them', () => {
    // two blocks: -1 item (with its size, 2 bytes) and 1 item, then the end
    const r = new AvroReader(Buffer.from([0x01, 0x04, 0x02, 0x0a, 0x02, 0x02, 0x0c, 0x00]));
    expect(r.array(() => [...r.bytes()])).toEqual([[0x0a], [0x0c]]);
  });

  it('refuses what ends early or cannot be Avro', () => {
    expect(() => new AvroReader(Buffer.from([0x80])).long()).toThrow(AvroIpcError);
    expect(() => new AvroReader(Buffer.from([0x06, 0x61])).string()).toThrow(/ends inside/);
    expect(() => new AvroReader(Buffer.from([0x02])).boolean()).toThrow(/boolean byte 2/);
    expect(() => new AvroReader(Buffer.from([0xfe, 0xff, 0xff, 0x0f])).array(() => 0)).toThrow(/a block of/);
  });
});

describe('Netty framing', () => {
  it('cuts packs out of a stream however it is split, joining their frames', () => {
    const a = framed({ serial: 7, payload: Buffer.from('hello') });
    // a pack of two frames, as Avro's Java writer sends a payload in pieces
    const b = Buffer.from([0, 0, 0, 8, 0, 0, 0, 2, 0, 0, 0, 1, 0x41, 0, 0, 0, 2, 0x42, 0x43]);
    const stream = Buffer.concat([a, b]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const reader = new PackReader();
      const packs = [...reader.push(stream.subarray(0, cut)), ...reader.push(stream.subarray(cut))];
      expect(packs.map((p) => [p.serial, p.payload.toString()])).toEqual([[7, 'hello'], [8, 'ABC']]);
    }
  });

  it('refuses a stream that cannot be Netty framing (an HTTP request)', () => {
    expect(() => new PackReader().push(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toThrow(/a call of \d+ frames/);
    expect(() => new PackReader().push(Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]))).toThrow(/a frame of -1 bytes/);
  });
});
