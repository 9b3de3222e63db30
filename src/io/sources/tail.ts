// `tail:GLOB`: follow files like `tail -F`: drain a file renamed away (logrotate) while reading the
// new one at its path, start over after a truncation (copytruncate), pick up new files the glob
// matches. Files are known by device, inode and a fingerprint of their first bytes, so a rotated
// file or a rotated copy is never read twice; position() lets --checkpoint resume exactly. A gzip
// file (logrotate's compress) is a rotated copy too, read as its text, once.

import { globSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { note } from '../../core/report.ts';
import { IoError, messageOf, reasonOf } from '../../core/errors.ts';
import { FileCursor, identify, isFull, isSavedFile, type LineRules, type SavedFile } from './file-cursor.ts';
import { isGzipFile } from './gzip.ts';
import { FROM_PARAM, POLL_PARAM, PollingSource } from './polling.ts';
import { requiredPath } from '../uri.ts';
import type { SourceDef } from './source.ts';

/** How long a file renamed away may stay silent before it counts as drained and is closed. */
const DRAIN_GRACE_MS = 1000;

interface Followed {
  cursor: FileCursor;
  /** Set while the glob no longer matches the file (renamed away): when it last gave text. */
  orphanSince?: number;
  /** --once: the file's size when the pass began; nothing after it is read. */
  end?: number;
  /** A rotated copy (copytruncate) still being drained: read before the others. */
  rotated?: boolean;
  /** A gzip file (logrotate's compress): read to its end once, then closed for good. */
  compressed?: boolean;
}

/** Files drained and closed that are remembered, so that a compressed copy of one is not read again. */
const KEEP_DRAINED = 64;

export const tail: SourceDef = {
  scheme: 'tail',
  usage: 'tail:GLOB',
  summary: 'follow files like tail -F (rotation, truncation, new files)',
  params: [FROM_PARAM, POLL_PARAM],
  target: requiredPath('a file or a glob, e.g. tail:/var/log/app/*.log'),
  create(path, params, uri) {
    return new Tail(uri, path, params.from as 'end' | 'start' | undefined, params.poll as number);
  },
};

/**
 * A re-run batch: how far each file `until` knows may be read, by `dev:ino`; and the files of the
 * checkpoint it does not know: drained and closed in that batch.
 */
interface TailPosition {
  files: SavedFile[];
  compressed?: string[];
  drained?: SavedFile[];
}

interface TailReplay {
  until: Map<string, SavedFile>;
  drained: Set<string>;
}

class Tail extends PollingSource<TailReplay> {
  private readonly pattern: string;
  /** Followed files by `dev:ino`. */
  private readonly files = new Map<string, Followed>();
  /** Where a checkpoint left each file, until the first scan has found them. */
  private saved: SavedFile[] | undefined;
  private resumed = false;
  /** The file the intake was last told text comes from. */
  private current = { key: '', path: '' };
  private lastScan = 0;
  private readonly unreadable = new Set<string>();
  /** Said that the glob matches no file yet: said once until one appears. */
  private waitingSaid = false;
  /** Gzip files read (or skipped by ?from=end), by `dev:ino`: never opened again. */
  private compressed = new Set<string>();
  /** Files drained and closed, newest last: a compressed copy of one goes on from where it ended. */
  private drained: SavedFile[] = [];
  /** Files truncated by a copytruncate whose copy was still being written at the last scan. */
  private copying: SavedFile[] = [];

  constructor(label: string, pattern: string, from: 'end' | 'start' | undefined, pollMs: number) {
    super(label, pollMs, from);
    this.pattern = pattern;
  }

  position(): TailPosition {
    const files = this.saved ?? [...this.files.values()].map((f) => f.cursor.saved());
    return { files, ...(this.compressed.size && { compressed: [...this.compressed] }), ...(this.drained.length && { drained: this.drained }) };
  }

  seek(position: unknown): void {
    this.saved = this.filesOf(position);
    const { compressed, drained } = position as TailPosition;
    if (Array.isArray(compressed)) this.compressed = new Set(compressed.filter((k) => typeof k === 'string'));
    if (Array.isArray(drained)) this.drained = drained.filter(isSavedFile);
    this.resumed = true;
  }

  protected replayTo(until: unknown): TailReplay {
    const known = new Map(this.filesOf(until).map((f) => [`${f.dev}:${f.ino}`, f]));
    const drained = new Set((this.saved ?? []).map((f) => `${f.dev}:${f.ino}`).filter((key) => !known.has(key)));
    return { until: known, drained };
  }

  private filesOf(position: unknown): SavedFile[] {
    const files = (position as { files?: unknown })?.files;
    if (!Array.isArray(files) || !files.every(isSavedFile)) throw new IoError(`${this.label}: the checkpoint's position is not one of tail:`);
    return files;
  }

  /** Every ?poll=, even while files still have text: a busy file must not hide new files and rotations. */
  protected scanDue(): boolean {
    return Date.now() - this.lastScan >= this.pollMs;
  }

  protected closeAll(): void {
    for (const { cursor } of this.files.values()) cursor.close();
  }

  /**
   * One chunk from every file, rotated ones first (their lines are older than those of the file now
   * at their path); closes files renamed away once drained. Returns the bytes read.
   */
  protected readSome(): number {
    const now = Date.now();
    let total = 0;
    for (const rotatedOnly of [true, false]) {
      for (const [key, file] of this.files) {
        if (this.paused || this.stopped) return total;
        if (rotatedOnly !== (file.rotated || file.orphanSince !== undefined)) continue;
        total += this.readFile(key, file, now);
      }
      if (total) return total;
    }
    return total;
  }

  private readFile(key: string, file: Followed, now: number): number {
    const { cursor } = file;
    // a file truncated and written again since the last scan (copytruncate) is not read on at the old
    // offset: what a read gives is taken only while the file still begins as it did
    const out = (text: string) => (cursor.startsWith() ? this.deliver(cursor, text) : 0);
    const rules: LineRules = {
      maxLineBytes: this.intake.maxLineBytes,
      decode: (buf, start, end) => this.intake.decode(buf, start, end),
      overlong: (bytes, head) => {
        this.switchTo(cursor);
        this.intake.overlong(bytes, head);
      },
    };
    const end = this.replayEnd(key, cursor);
    let n = cursor.read(out, { end: Math.min(end, file.end ?? Infinity), chunk: this.chunk, rules });
    if (n === 0 && !this.replay) file.rotated = false;
    if (file.compressed && n === 0 && end === Infinity) {
      n = cursor.read(out, { final: true, rules });
      if (this.paused) return n; // --max-rate may have left some of it
      cursor.close();
      this.files.delete(key);
      this.compressed.add(key);
      return n;
    }
    if (file.orphanSince === undefined || end < Infinity) return n;
    if (n > 0) file.orphanSince = now;
    else if (this.once || this.replay || now - file.orphanSince >= DRAIN_GRACE_MS) {
      n = cursor.read(out, { final: true, rules }); // nobody writes to it any more: its last line is complete
      if (this.paused) return n; // --max-rate may have left some of it: closed once read to its end
      cursor.close();
      this.files.delete(key);
      this.drained = [...this.drained, cursor.saved()].slice(-KEEP_DRAINED);
    }
    return n;
  }

  /**
   * How far a file may be read while a batch is re-run: up to where `until` has it; not at all if
   * `until` does not know it (it was found later); to its end if it was drained in that batch.
   */
  private replayEnd(key: string, cursor: FileCursor): number {
    if (!this.replay) return Infinity;
    const until = this.replay.until.get(key);
    if (until && cursor.startsWith(until.fingerprint)) return until.offset;
    return this.replay.drained.has(key) ? Infinity : cursor.offset;
  }

  /** Text of a file, as much as --max-rate lets in: returns the characters taken. */
  private deliver(cursor: FileCursor, text: string): number {
    this.switchTo(cursor);
    return this.intake.some(text);
  }

  /** What comes next is `cursor`'s file: the intake is told when that changes. */
  private switchTo(cursor: FileCursor): void {
    const key = `${cursor.dev}:${cursor.ino}`;
    if (key === this.current.key && cursor.path === this.current.path) return;
    this.current = { key, path: cursor.path };
    // a file joined in its middle (?from=end) has its header, if the codec wants one, in its first line
    this.intake.file(cursor.path, { id: key, start: cursor.offset === 0, head: () => cursor.firstLine() });
  }

  /**
   * Match the glob again: follow new files, notice truncations and files renamed away. A new file
   * that begins like a file truncated or gone since, or that holds the same bytes as a followed
   * file up to where that one was read, is a rotated copy of it (copytruncate): reading goes on
   * where it stood.
   */
  protected scan(first: boolean): void {
    this.lastScan = Date.now();
    const saved = this.saved ?? [];
    const gone: SavedFile[] = [];
    const fresh: [string, string][] = [];
    const matched = new Set<string>();
    for (const path of globSync(this.pattern).sort()) {
      const id = identify(path);
      if (!id) continue;
      const key = `${id.dev}:${id.ino}`;
      matched.add(key);
      if (this.compressed.has(key)) continue;
      const file = this.files.get(key);
      if (!file) {
        // a compressed rotation there at the first start, with ?from=end: skipped, not decompressed
        if (first && !this.resumed && this.skipsWhatIsThere() && isGzipFile(path)) this.compressed.add(key);
        else fresh.push([path, key]);
        continue;
      }
      file.cursor.path = path;
      file.orphanSince = undefined;
      if (file.cursor.rewritten()) {
        note(`${this.label}: ${path} was truncated; reading it from the start`);
        gone.push(file.cursor.saved());
        file.cursor.restart();
      }
    }
    const opened = fresh.flatMap(([path, key]) => this.open(path, key) ?? []);
    for (const cursor of opened) {
      const i = saved.findIndex((k) => `${k.dev}:${k.ino}` === `${cursor.dev}:${cursor.ino}` && cursor.startsWith(k.fingerprint));
      if (i >= 0) this.follow(cursor, saved.splice(i, 1)[0]!.offset);
    }
    gone.push(...saved.filter((k) => !this.files.has(`${k.dev}:${k.ino}`)), ...this.copying);
    const later: SavedFile[] = [];
    for (const cursor of opened.filter((c) => !this.files.has(`${c.dev}:${c.ino}`))) {
      const i = isFull(cursor.fingerprint) ? gone.findIndex((k) => k.fingerprint === cursor.fingerprint) : -1;
      const copied = cursor.lastLineEnd();
      // followed files this one is a copy of, as far as it goes
      const copiesOf = isFull(cursor.fingerprint)
        ? [...this.files.values()].filter(({ cursor: c }) => c.fingerprint === cursor.fingerprint && cursor.sameBytesBefore(c, copied))
        : [];
      const original = copiesOf.find(({ cursor: c }) => copied >= c.offset);
      // a compressed copy of a file drained before goes on from where that one ended (nothing, mostly)
      const drained = cursor.isCompressed && isFull(cursor.fingerprint) ? this.drained.find((k) => k.fingerprint === cursor.fingerprint) : undefined;
      // a copy shorter than what was read of the file it copies is still being written (copytruncate
      // under way): looked at again at the next scan, with what is known of a truncated original
      const shorter = i >= 0 ? copied < gone[i]!.offset : !original && copiesOf.length > 0;
      if (shorter) {
        if (i >= 0) later.push(gone.splice(i, 1)[0]!);
        cursor.close();
      } else if (!first && this.copyBegun(cursor)) cursor.close();
      else if (i >= 0) this.follow(cursor, gone.splice(i, 1)[0]!.offset).rotated = true;
      else if (original) {
        // a copy of a file still there: the copy gives what is unread of both, the original goes on after it
        Object.assign(this.follow(cursor, original.cursor.offset), { rotated: true, end: copied });
        original.cursor.offset = copied;
      } else if (drained) this.follow(cursor, drained.offset).rotated = true;
      else this.follow(cursor, first && !this.resumed && this.skipsWhatIsThere() ? cursor.lastLineEnd() : 0);
    }
    for (const [key, file] of this.files) if (!matched.has(key)) file.orphanSince ??= this.lastScan;
    if (matched.size) this.waitingSaid = false;
    else if (!this.files.size && !this.waitingSaid) {
      // a glob that matches nothing is silent otherwise: a typo and a log not written yet look alike
      this.waitingSaid = true;
      note(`${this.label}: no file matches ${this.pattern}${this.once ? ': nothing to read' : ' yet; waiting for one to appear'}`);
    }
    for (const k of gone) this.findRotated(k, saved.includes(k));
    this.saved = undefined;
    this.copying = later;
  }

  /**
   * Whether a new file, too short yet for a fingerprint to tell, is a copy under way (copytruncate
   * copies, then truncates): it begins as a followed file does. Looked at again at the next scan, until
   * it has the bytes of a fingerprint or begins otherwise; read from the top before, a copy gave the
   * original's lines twice.
   */
  private copyBegun(cursor: FileCursor): boolean {
    return !isFull(cursor.fingerprint) && [...this.files.values()].some(({ cursor: c }) => isFull(c.fingerprint) && c.startsWith(cursor.fingerprint));
  }

  private open(path: string, key: string): FileCursor | undefined {
    try {
      return new FileCursor(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && !this.unreadable.has(key)) {
        this.unreadable.add(key);
        note(`${this.label}: cannot read ${path}: ${reasonOf(err)}`);
      }
      return undefined;
    }
  }

  private follow(cursor: FileCursor, offset: number): Followed {
    cursor.offset = offset;
    if (cursor.rewritten()) cursor.restart();
    const file: Followed = { cursor, end: this.once ? cursor.size() : undefined, compressed: cursor.isCompressed };
    this.files.set(`${cursor.dev}:${cursor.ino}`, file);
    return file;
  }

  /**
   * Where a file the glob no longer finds as it was went: renamed to a name the glob misses, or
   * copied there before being truncated (while sluice was not running, or faster than a poll).
   * Its siblings are searched for it, and what was not read of it is read from there. For a file
   * of the checkpoint (`whileDown`), the files rotated after it are read too.
   */
  private findRotated(saved: SavedFile, whileDown: boolean): void {
    const dir = dirname(saved.path);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      const id = identify(path);
      const key = id && `${id.dev}:${id.ino}`;
      // a compressed copy (logrotate's compress) is smaller than the text it holds
      if (!id || this.files.has(key!) || this.compressed.has(key!) || (id.size < saved.offset && !name.endsWith('.gz'))) continue;
      const renamed = id.dev === saved.dev && id.ino === saved.ino;
      if (!renamed && !isFull(saved.fingerprint)) continue;
      const cursor = this.open(path, key!);
      if (cursor?.startsWith(saved.fingerprint) && (renamed || cursor.fingerprint === saved.fingerprint)) {
        Object.assign(this.follow(cursor, saved.offset), { orphanSince: this.lastScan, end: undefined });
        if (whileDown) this.followRotatedAfter(dir, names, basename(saved.path), id.born);
        return;
      }
      cursor?.close();
    }
  }

  /**
   * Rotated more than once while sluice was down: the files of the same name, born after the one
   * found (`born`), that the glob misses, were never seen, and are read whole, oldest first.
   */
  private followRotatedAfter(dir: string, names: string[], base: string, born: bigint): void {
    const later = names
      .filter((name) => name.startsWith(base) && !COMPRESSED.test(name))
      .map((name) => ({ path: join(dir, name), id: identify(join(dir, name)) }))
      .filter(({ id }) => id && id.born > born && !this.files.has(`${id.dev}:${id.ino}`))
      .sort((a, b) => (a.id!.born < b.id!.born ? -1 : 1));
    for (const { path, id } of later) {
      const cursor = this.open(path, `${id!.dev}:${id!.ino}`);
      if (cursor) Object.assign(this.follow(cursor, 0), { orphanSince: this.lastScan, end: undefined });
    }
  }
}

/** Rotated files compressed (logrotate's `compress`): not lines to read. */
const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|z|zip)$/i;
