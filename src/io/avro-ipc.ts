// Avro IPC as Flume's Avro sink speaks it: Avro's binary encoding (the types Flume's protocol uses),
// the IPC handshake (each side names its protocol by its MD5), and Netty's framing of calls (Avro's
// NettyTransportCodec: a serial number, a count of frames, then each frame with its length).

import { createHash } from 'node:crypto';

/** Input that is not Avro IPC, or not a protocol sluice speaks: the connection cannot go on. */
export class AvroIpcError extends Error {}

/** Reads Avro's binary encoding from one buffer. */
export class AvroReader {
  private at = 0;
  private readonly buf: Buffer;

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  get done(): boolean {
    return this.at >= this.buf.length;
  }

  /** A zigzag varint (int and long alike; exact for |n| ≤ 2^52, which counts and lengths stay under). */
  long(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      const b = this.buf[this.at++];
      if (b === undefined) throw new AvroIpcError('the message ends inside a number');
      if (i === 10) throw new AvroIpcError('a number longer than 10 bytes');
      n += (b & 0x7f) * scale;
      if (!(b & 0x80)) break;
      scale *= 128;
    }
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  boolean(): boolean {
    const b = this.buf[this.at++];
    if (b !== 0 && b !== 1) throw new AvroIpcError(b === undefined ? 'the message ends inside a boolean' : `a boolean byte ${b}`);
    return b === 1;
  }

  /** `n` bytes as they are (an Avro fixed). */
  fixed(n: number): Buffer {
    if (this.at + n > this.buf.length) throw new AvroIpcError(`the message ends inside a value of ${n} bytes`);
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  bytes(): Buffer {
    const n = this.long();
    if (n < 0) throw new AvroIpcError(`a negative length ${n}`);
    return this.fixed(n);
  }

  string(): string {
    return this.bytes().toString('utf8');
  }

  /** The index of a union's branch, checked against how many it has. */
  union(branches: number): number {
    const i = this.long();
    if (i < 0 || i >= branches) throw new AvroIpcError(`union branch ${i} of ${branches}`);
    return i;
  }

  /** Array and map items come in blocks, each with its count (negative: followed by its size in bytes). */
  private blocks(item: () => void): void {
    for (let count = this.long(); count !== 0; count = this.long()) {
      if (count < 0) {
        count = -count;
        this.long();
      }
      if (count > this.buf.length - this.at) throw new AvroIpcError(`a block of ${count} items in ${this.buf.length - this.at} bytes`);
      for (let i = 0; i < count; i++) item();
    }
  }

  array<T>(item: () => T): T[] {
    const out: T[] = [];
    this.blocks(() => void out.push(item()));
    return out;
  }

  map<T>(value: () => T): Record<string, T> {
    const out: Record<string, T> = Object.create(null);
    this.blocks(() => {
      const key = this.string();
      out[key] = value();
    });
    return out;
  }
}

/** Writes Avro's binary encoding into parts joined at the end. */
export class AvroWriter {
  private readonly parts: Buffer[] = [];
  private scratch: number[] = [];

  long(n: number): this {
    let z = n >= 0 ? n * 2 : -n * 2 - 1;
    do {
      const low = z % 128;
      z = Math.floor(z / 128);
      this.scratch.push(z ? low | 0x80 : low);
    } while (z);
    return this;
  }

  boolean(b: boolean): this {
    this.scratch.push(b ? 1 : 0);
    return this;
  }

  fixed(buf: Buffer): this {
    this.flushScratch();
    this.parts.push(buf);
    return this;
  }

  bytes(buf: Buffer): this {
    return this.long(buf.length).fixed(buf);
  }

  string(s: string): this {
    return this.bytes(Buffer.from(s, 'utf8'));
  }

  /** A map in one block: its count, then each key and value, then the closing 0. */
  map<T>(entries: Record<string, T>, value: (v: T) => void): this {
    const keys = Object.keys(entries);
    if (keys.length) this.long(keys.length);
    for (const k of keys) {
      this.string(k);
      value(entries[k]!);
    }
    return this.long(0);
  }

  array<T>(items: readonly T[], item: (v: T) => void): this {
    if (items.length) this.long(items.length);
    for (const v of items) item(v);
    return this.long(0);
  }

  buffer(): Buffer {
    this.flushScratch();
    return Buffer.concat(this.parts);
  }

  private flushScratch(): void {
    if (!this.scratch.length) return;
    this.parts.push(Buffer.from(this.scratch));
    this.scratch = [];
  }
}

/** One call or reply as Netty frames it: the serial that pairs a reply with its call, and its bytes. */
export interface Pack {
  serial: number;
  payload: Buffer;
}

/** The most frames a pack may have, and bytes in all: past either the peer does not speak this framing. */
const MAX_FRAMES = 1 << 16;
const MAX_PACK_BYTES = 1 << 28;

/**
 * Cuts a byte stream into packs: serial (4 bytes, big-endian), frame count (4), then each frame as
 * a 4-byte length and its bytes; a pack's payload is its frames joined. Each byte is copied once
 * however the stream is cut. Throws AvroIpcError where the stream cannot be that framing.
 */
export class PackReader {
  private chunks: Buffer[] = [];
  private have = 0;
  /** The pack being read: its serial, frames still to come, and those read. */
  private pack: { serial: number; left: number; frames: Buffer[]; bytes: number } | undefined;
  /** The length of the frame being read, once its header is in. */
  private frame: number | undefined;

  /** The packs completed by `chunk`. */
  push(chunk: Buffer): Pack[] {
    this.chunks.push(chunk);
    this.have += chunk.length;
    const packs: Pack[] = [];
    for (;;) {
      if (!this.pack) {
        if (this.have < 8) break;
        const head = this.take(8);
        const count = head.readInt32BE(4);
        if (count < 1 || count > MAX_FRAMES) throw new AvroIpcError(`a call of ${count} frames`);
        this.pack = { serial: head.readInt32BE(0), left: count, frames: [], bytes: 0 };
      } else if (this.frame === undefined) {
        if (this.have < 4) break;
        const length = this.take(4).readInt32BE(0);
        if (length < 0 || this.pack.bytes + length > MAX_PACK_BYTES) throw new AvroIpcError(`a frame of ${length} bytes`);
        this.frame = length;
        this.pack.bytes += length;
      } else {
        if (this.have < this.frame) break;
        const { pack } = this;
        pack.frames.push(this.take(this.frame));
        this.frame = undefined;
        if (--pack.left) continue;
        packs.push({ serial: pack.serial, payload: pack.frames.length === 1 ? pack.frames[0]! : Buffer.concat(pack.frames) });
        this.pack = undefined;
      }
    }
    return packs;
  }

  /** The next `n` bytes (`n` ≤ what is had), taken from the chunks. */
  private take(n: number): Buffer {
    this.have -= n;
    const first = this.chunks[0]!;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - at);
      c.copy(out, at, 0, k);
      at += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }
}

/** A pack as Netty writes it: here always one frame. */
export function framed({ serial, payload }: Pack): Buffer {
  const head = Buffer.allocUnsafe(12);
  head.writeInt32BE(serial, 0);
  head.writeInt32BE(1, 4);
  head.writeInt32BE(payload.length, 8);
  return Buffer.concat([head, payload]);
}

/** A protocol's JSON text and its MD5, by which handshakes name it. */
export interface Protocol {
  name: string;
  text: string;
  hash: Buffer;
}

export function protocol(text: string): Protocol {
  let hash: Buffer | undefined; // when first asked: node:crypto is not loaded by runs that read no Flume
  return {
    name: (JSON.parse(text) as { protocol: string }).protocol,
    text,
    get hash() {
      return (hash ??= createHash('md5').update(text).digest());
    },
  };
}

export interface HandshakeRequest {
  clientHash: Buffer;
  clientProtocol: string | null;
  serverHash: Buffer;
}

/** Avro's HandshakeRequest record (org.apache.avro.ipc): clientHash, clientProtocol, serverHash, meta. */
export function readHandshakeRequest(r: AvroReader): HandshakeRequest {
  const clientHash = r.fixed(16);
  const clientProtocol = r.union(2) ? r.string() : null;
  const serverHash = r.fixed(16);
  if (r.union(2)) r.map(() => r.bytes());
  return { clientHash, clientProtocol, serverHash };
}

export type HandshakeMatch = 'BOTH' | 'CLIENT' | 'NONE';
const MATCHES: readonly HandshakeMatch[] = ['BOTH', 'CLIENT', 'NONE'];

/** Avro's HandshakeResponse record: match, serverProtocol and serverHash (unless BOTH), no meta. */
export function writeHandshakeResponse(w: AvroWriter, match: HandshakeMatch, server: Protocol): void {
  w.long(MATCHES.indexOf(match));
  if (match === 'BOTH') w.long(0).long(0);
  else w.long(1).string(server.text).long(1).fixed(server.hash);
  w.long(0);
}

export function readHandshakeResponse(r: AvroReader): { match: HandshakeMatch; serverHash: Buffer | null } {
  const match = MATCHES[r.union(3)]!;
  if (r.union(2)) r.string();
  const serverHash = r.union(2) ? r.fixed(16) : null;
  if (r.union(2)) r.map(() => r.bytes());
  return { match, serverHash };
}

export function writeHandshakeRequest(w: AvroWriter, client: Protocol, withText: boolean): void {
  w.fixed(client.hash);
  if (withText) w.long(1).string(client.text);
  else w.long(0);
  w.fixed(client.hash).long(0);
}
