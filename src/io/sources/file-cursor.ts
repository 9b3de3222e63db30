// An open file read in whole lines from a byte offset: what tail: and dir: share. Each read starts
// at the end of the last complete line handed on (a line still being written is read again once it
// is complete), so `offset` is exactly what a checkpoint must save.

import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { GzipError, inflate, isGzip } from './gzip.ts';
import { bytesOfLines, HEAD_BYTES, type Intake } from './source.ts';

const CHUNK = 1 << 18;
/** How many leading bytes tell apart two files with the same inode (a reused inode, a rewrite). */
const FINGERPRINT_BYTES = 256;

/** How the bytes of a file become lines: the intake's rules (--max-line-bytes, --encoding). */
export type LineRules = Pick<Intake, 'maxLineBytes' | 'overlong' | 'decode'>;

/** Plain UTF-8 lines of any length. */
const UTF8: LineRules = { maxLineBytes: Infinity, overlong: () => {}, decode: (buf, start, end) => buf.toString('utf8', start, end) };

interface ReadOptions {
  final?: boolean;
  end?: number;
  chunk?: number;
  rules?: LineRules;
}

/** What a checkpoint keeps of a file: where it was, which file it is, how far it was read. */
export interface SavedFile {
  path: string;
  dev: string;
  ino: string;
  fingerprint: string;
  offset: number;
}

/** Whether `f`, read from a checkpoint, has the shape of a SavedFile. */
export function isSavedFile(f: unknown): f is SavedFile {
  const s = f as SavedFile;
  return typeof s?.path === 'string' && typeof s.dev === 'string' && typeof s.ino === 'string' && typeof s.fingerprint === 'string' && Number.isInteger(s.offset) && s.offset >= 0;
}

/** Whether a fingerprint covers the full FINGERPRINT_BYTES, enough to tell a copy of a file by its content alone. */
export function isFull(fingerprint: string): boolean {
  return fingerprint.startsWith(`${FINGERPRINT_BYTES}:`);
}

/**
 * Device and inode of a regular file, or undefined when there is none at `path`; `born`: when the
 * file was created, in ns (its last change where the file system does not keep that).
 */
export function identify(path: string): { dev: string; ino: string; size: number; mtimeMs: number; born: bigint } | undefined {
  const st = statSync(path, { bigint: true, throwIfNoEntry: false });
  if (!st?.isFile()) return undefined;
  return { dev: String(st.dev), ino: String(st.ino), size: Number(st.size), mtimeMs: Number(st.mtimeMs), born: st.birthtimeNs || st.mtimeNs };
}

export class FileCursor {
  /** The name the file was last seen under (it may have been renamed since it was opened). */
  path: string;
  readonly dev: string;
  readonly ino: string;
  /** Bytes handed on, always up to the end of a line. */
  offset: number;
  /** `LENGTH:SHA1` of the file's first bytes (as many as it had, up to FINGERPRINT_BYTES). */
  fingerprint: string;
  /** The open file, for whoever reads it otherwise (the file source's FdReader). */
  readonly fd: number;
  /** A gzip file's text, decompressed whole when opened (rotated logs: written once, read once). */
  private readonly inflated: Buffer | undefined;
  /** What is wrong with a gzip file that ends early, when its good text was kept (`damaged: 'read'`). */
  readonly damage: string | undefined;
  /** How far the end of a line too long to keep was looked for, while it is still being written. */
  private skipped: { offset: number; to: number } | undefined;

  /**
   * A gzip file is read as the text it holds; one that ends early or is damaged throws GzipError,
   * or with `damaged: 'read'` keeps what could be read of it and says what is wrong in `damage`.
   */
  constructor(path: string, offset = 0, { damaged = 'throw' }: { damaged?: 'throw' | 'read' } = {}) {
    this.path = path;
    this.fd = openSync(path, 'r');
    if (isGzip(this.fd)) {
      try {
        ({ text: this.inflated, damage: this.damage } = inflate(readFileSync(this.fd)));
      } catch (err) {
        closeSync(this.fd);
        throw err;
      }
      if (this.damage && damaged === 'throw') {
        closeSync(this.fd);
        throw new GzipError(this.damage);
      }
    }
    const st = fstatSync(this.fd, { bigint: true });
    this.dev = String(st.dev);
    this.ino = String(st.ino);
    this.offset = offset;
    this.fingerprint = this.fingerprintOf(FINGERPRINT_BYTES);
  }

  /** A gzip file, read as the text it holds. */
  get isCompressed(): boolean {
    return this.inflated !== undefined;
  }

  /** Its size: of the text it holds, for a gzip file. */
  size(): number {
    return this.inflated?.length ?? fstatSync(this.fd).size;
  }

  /** Bytes of the file's text (a gzip file's decompressed text) at `position`. */
  readAt(buf: Buffer, offset: number, length: number, position: number): number {
    if (!this.inflated) return readSync(this.fd, buf, offset, length, position);
    return position >= this.inflated.length ? 0 : this.inflated.copy(buf, offset, position, position + length);
  }

  /** Whether the file still begins with the bytes of `fingerprint` (by default, those it began with). */
  startsWith(fingerprint = this.fingerprint): boolean {
    const length = Number(fingerprint.slice(0, fingerprint.indexOf(':')));
    return this.fingerprintOf(length) === fingerprint;
  }

  /** Truncated (copytruncate) or rewritten since it was read: shorter than the offset, or it begins differently. */
  rewritten(): boolean {
    return this.size() < this.offset || !this.startsWith();
  }

  /**
   * Why `saved` (a checkpoint's record of a file) does not describe this file as it is now, if it
   * does not: another file under that name, rewritten, shorter, or the offset not at a line's end.
   */
  changedSince(saved: SavedFile): string | undefined {
    if (saved.dev !== this.dev || saved.ino !== this.ino) return 'it was replaced';
    if (!this.startsWith(saved.fingerprint)) return 'it was rewritten';
    const size = this.size();
    if (size < saved.offset) return `it is shorter (${size} bytes, read up to ${saved.offset})`;
    const before = Buffer.alloc(1);
    const atLineEnd = saved.offset === 0 || saved.offset === size || (this.readAt(before, 0, 1, saved.offset - 1) === 1 && before[0] === 10);
    return atLineEnd ? undefined : `byte ${saved.offset} is not at a line's end`;
  }

  /** Take the fingerprint again if it covered fewer than its bytes (the file has grown since). */
  refresh(): void {
    if (!isFull(this.fingerprint)) this.fingerprint = this.fingerprintOf(FINGERPRINT_BYTES);
  }

  /** Read again from the top, as a new file. */
  restart(): void {
    this.offset = 0;
    this.fingerprint = this.fingerprintOf(FINGERPRINT_BYTES);
  }

  /** Whether this file holds the same bytes as `other` just before `end` (the last 4 KiB read of it): a copy. */
  sameBytesBefore(other: FileCursor, end: number): boolean {
    const from = Math.max(0, end - 4096);
    const a = Buffer.alloc(end - from);
    const b = Buffer.alloc(end - from);
    return this.readAt(a, 0, a.length, from) === a.length && other.readAt(b, 0, b.length, from) === b.length && a.equals(b);
  }

  /** The offset just after the last complete line: where to begin when skipping what a file holds. */
  lastLineEnd(): number {
    const size = this.size();
    const from = Math.max(0, size - CHUNK);
    const buf = Buffer.allocUnsafe(size - from);
    const n = this.readAt(buf, 0, buf.length, from);
    const nl = buf.subarray(0, n).lastIndexOf(10);
    return nl < 0 ? from : from + nl + 1;
  }

  /**
   * Hand the complete lines after the offset, up to byte `end`, to `out`, one chunk at a time;
   * returns how many bytes `out` took (0: nothing complete yet, or nothing taken). `out` returns
   * the characters it took (--max-rate): the offset moves past those only, the rest is read again.
   * With `final` the file is complete and its text after the last newline, or up to `end`, is a
   * line too. `chunk`: bytes read at a time (more for a longer line, up to `rules.maxLineBytes`: a
   * longer line is skipped and reported to `rules.overlong`); `rules.decode` makes text of the bytes.
   */
  read(out: (text: string) => number, { final = false, end = Infinity, chunk = CHUNK, rules = UTF8 }: ReadOptions = {}): number {
    for (let size = chunk; ; size *= 2) {
      const want = Math.min(size, end - this.offset);
      if (want <= 0) return 0;
      const buf = Buffer.allocUnsafe(want);
      const got = buf.subarray(0, this.readAt(buf, 0, want, this.offset));
      const fileEnded = got.length < want;
      const last = got.lastIndexOf(10);
      if (last < 0 && got.length > rules.maxLineBytes) return this.skipLine(got, final, end, rules);
      const cut = final && (fileEnded || this.offset + want === end) ? got.length : last + 1;
      if (cut > 0) {
        const lines = got.subarray(0, cut);
        const text = rules.decode(lines);
        // a short fingerprint is taken again from the bytes read, not from the file after `out`:
        // a copytruncate meanwhile would give it the truncated file's, and the copy would match nothing
        const head = this.offset === 0 ? got : undefined;
        return this.advance(bytesOfLines(lines, text, out(text)), head);
      }
      // no newline: the file ends, the end is reached, or a line is longer than the buffer
      if (fileEnded || want < size) return 0;
    }
  }

  /**
   * Skip a line longer than `rules.maxLineBytes`, whose first bytes are `head`, without holding it:
   * look for its end a chunk at a time (going on where the last look stopped while it is still
   * being written) and report it; returns the bytes skipped, 0 while its end has not come.
   */
  private skipLine(head: Buffer, final: boolean, end: number, rules: LineRules): number {
    let at = this.offset + head.length;
    if (this.skipped?.offset === this.offset) at = Math.max(at, this.skipped.to);
    const piece = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = this.readAt(piece, 0, Math.min(CHUNK, end - at), at);
      const nl = piece.subarray(0, n).indexOf(10);
      if (nl >= 0 || ((n === 0 || at + n >= end) && final)) {
        const lineEnd = nl >= 0 ? at + nl : at + n;
        rules.overlong(lineEnd - this.offset, head.subarray(0, HEAD_BYTES));
        this.skipped = undefined;
        return this.advance(lineEnd + (nl >= 0 ? 1 : 0) - this.offset);
      }
      at += n;
      if (n === 0 || at >= end) {
        this.skipped = { offset: this.offset, to: at };
        return 0;
      }
    }
  }

  /** Past `bytes` more; `head`, what was read from the file's start, if this read began there. */
  private advance(bytes: number, head?: Buffer): number {
    this.offset += bytes;
    if (head && !isFull(this.fingerprint)) this.fingerprint = fingerprintOfBytes(head.subarray(0, FINGERPRINT_BYTES));
    else this.refresh();
    return bytes;
  }

  /** The file's first line (at most a chunk of it), without its newline. */
  firstLine(): string {
    const buf = Buffer.allocUnsafe(CHUNK);
    const head = buf.subarray(0, this.readAt(buf, 0, CHUNK, 0));
    const nl = head.indexOf(10);
    return head.toString('utf8', 0, nl < 0 ? head.length : nl);
  }

  saved(): SavedFile {
    return { path: this.path, dev: this.dev, ino: this.ino, fingerprint: this.fingerprint, offset: this.offset };
  }

  close(): void {
    closeSync(this.fd);
  }

  /** `LENGTH:SHA1` of the first `length` bytes, or of fewer when the file is shorter. */
  private fingerprintOf(length: number): string {
    const buf = Buffer.allocUnsafe(length);
    return fingerprintOfBytes(buf.subarray(0, this.readAt(buf, 0, length, 0)));
  }
}

/** The fingerprint of a file that begins with `head` (and has no more bytes than it, if shorter than FINGERPRINT_BYTES). */
const fingerprintOfBytes = (head: Buffer) => `${head.length}:${createHash('sha1').update(head).digest('hex')}`;
