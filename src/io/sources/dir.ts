// `dir:PATH`: Spark's textFileStream: every file moved into the directory is read once, whole (a
// gzip file as the text it holds).
// Names that start with '.' or '_' or end in `_COPYING_` or `.tmp` are files still being written
// and are left alone; position() remembers which files were read, and how far into the current one.

import { readdirSync } from 'node:fs';
import { join, matchesGlob } from 'node:path';
import { IoError } from '../../core/errors.ts';
import { note } from '../../core/report.ts';
import { FileCursor, identify, type SavedFile } from './file-cursor.ts';
import { FROM_PARAM, POLL_PARAM, PollingSource } from './polling.ts';
import { requiredPath } from '../uri.ts';
import type { SourceDef } from './source.ts';

/** A name used while a file is still being written (Hadoop's `_COPYING_`, rsync's dotfiles, `.tmp`). */
export function inProgress(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_') || name.endsWith('_COPYING_') || name.endsWith('.tmp');
}

interface DirPosition {
  /**
   * Files read whole, in the order they were read: name and `dev:ino` (a new file moved in under an
   * old name is read again).
   */
  read: [string, string][];
  /** The file being read, if a batch closed in the middle of it. */
  reading?: SavedFile;
}

export const dir: SourceDef = {
  scheme: 'dir',
  usage: 'dir:PATH',
  summary: "files moved into a directory, each read once (Spark's textFileStream)",
  params: [{ name: 'pattern', value: { kind: 'string', metavar: 'GLOB' }, default: '*', summary: 'only the files whose names match' }, FROM_PARAM, POLL_PARAM],
  target: requiredPath('a directory, e.g. dir:/data/incoming'),
  create(path, params, uri) {
    return new Dir(uri, path, params.pattern as string, params.from as 'end' | 'start' | undefined, params.poll as number);
  },
};

/** A re-run batch: the files it read, in order, and where it stopped. */
interface DirReplay {
  files: [string, string][];
  last: SavedFile | undefined;
}

class Dir extends PollingSource<DirReplay> {
  private readonly path: string;
  private readonly pattern: string;
  private read = new Map<string, string>();
  /** How big the files read in this run were once read: one that grows after was picked up too soon. */
  private readSizes = new Map<string, number>();
  /** Names found and not read yet, oldest first. */
  private queue: string[] = [];
  private reading: { name: string; cursor: FileCursor } | undefined;
  /** From a checkpoint: the file to go on with, and where. */
  private resumeAt: SavedFile | undefined;
  private resumed = false;

  constructor(label: string, path: string, pattern: string, from: 'end' | 'start' | undefined, pollMs: number) {
    super(label, pollMs, from);
    this.path = path;
    this.pattern = pattern;
  }

  position(): DirPosition {
    const reading = this.reading ? { ...this.reading.cursor.saved(), path: this.reading.name } : this.resumeAt;
    return { read: [...this.read], ...(reading && { reading }) };
  }

  seek(position: unknown): void {
    const { read, reading } = this.positionOf(position);
    this.read = new Map(read);
    this.resumeAt = reading;
    this.resumed = true;
  }

  protected replayTo(until: unknown): DirReplay {
    const { read, reading } = this.positionOf(until);
    const files = read.filter(([name, key]) => this.read.get(name) !== key);
    if (reading) files.push([reading.path, `${reading.dev}:${reading.ino}`]);
    return { files, last: reading };
  }

  private positionOf(position: unknown): DirPosition {
    const p = position as DirPosition;
    if (!Array.isArray(p?.read) || !p.read.every((e) => Array.isArray(e) && e.length === 2 && e.every((s) => typeof s === 'string'))) {
      throw new IoError(`${this.label}: the checkpoint's position is not one of dir:`);
    }
    return p;
  }

  /** Only once all that was found is read: listing stats every file in the directory. */
  protected scanDue(): boolean {
    return !this.reading && !this.queue.length;
  }

  protected closeAll(): void {
    this.reading?.cursor.close();
  }

  /**
   * A chunk of the file being read, opening the next one when needed; 0 when there is none. While a
   * batch is re-run, only the files it read, and the last one only as far as it read it.
   */
  protected readSome(): number {
    while (!this.reading) {
      const [name, wanted] = this.replay ? (this.replay.files.shift() ?? []) : [this.queue.shift()];
      if (name === undefined) return 0;
      const cursor = this.open(name);
      if (!cursor) continue;
      const key = `${cursor.dev}:${cursor.ino}`;
      if (this.read.get(name) === key || (wanted !== undefined && wanted !== key)) {
        cursor.close(); // read in the re-run batch already, or not the file it read under that name
        continue;
      }
      this.reading = { name, cursor };
      const r = this.resumeAt;
      if (r?.path === name && `${r.dev}:${r.ino}` === `${cursor.dev}:${cursor.ino}` && cursor.startsWith(r.fingerprint)) cursor.offset = r.offset;
      this.resumeAt = undefined;
      this.intake.file(join(this.path, name), { start: cursor.offset === 0 });
    }
    const { name, cursor } = this.reading;
    const last = this.replay?.last;
    const end = last?.path === name && last.dev === cursor.dev && last.ino === cursor.ino ? last.offset : Infinity;
    const n = cursor.read((text) => this.intake.some(text), { final: true, end, chunk: this.chunk, rules: this.intake });
    // paused while reading: --max-rate may have left text to read, so the file is not done yet
    if (n === 0 && end === Infinity && !this.paused) {
      if (cursor.damage) this.intake.damaged(cursor.damage); // after its good lines
      this.intake.finish(); // a file moved in is complete: nothing of it goes on in the next one
      this.read.delete(name); // so that the order of `read` is the order files were read in
      this.read.set(name, `${cursor.dev}:${cursor.ino}`);
      this.readSizes.set(name, cursor.offset);
      cursor.close();
      this.reading = undefined;
      return 1; // go on with the next file
    }
    return n;
  }

  private open(name: string): FileCursor | undefined {
    try {
      return new FileCursor(join(this.path, name), 0, { damaged: 'read' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // gone again before it was read
      throw err;
    }
  }

  /** Warn, once per file, that a file grew after it was read: what was added to it is never read. */
  private checkGrowth(name: string, size: number): void {
    const read = this.readSizes.get(name);
    if (read === undefined || size <= read) return;
    this.readSizes.delete(name);
    note(
      `${this.label}: ${name} grew after it was read (${size - read} bytes more, which dir: does not read): ` +
        "it was moved in before it was complete; write files under a name dir: leaves alone (.NAME, _NAME, NAME.tmp, NAME._COPYING_), then rename them",
    );
  }

  /** List the directory: queue the new files, oldest first; forget files no longer there. */
  protected scan(first: boolean): void {
    const found: { name: string; key: string; mtimeMs: number }[] = [];
    const present = new Set<string>();
    for (const name of readdirSync(this.path)) {
      if (inProgress(name) || !matchesGlob(name, this.pattern)) continue;
      const id = identify(join(this.path, name));
      if (!id) continue;
      const key = `${id.dev}:${id.ino}`;
      present.add(name);
      if (this.read.get(name) === key) this.checkGrowth(name, id.size);
      if (this.read.get(name) === key || name === this.reading?.name || this.queue.includes(name)) continue;
      if (first && !this.resumed && this.skipsWhatIsThere()) this.read.set(name, key);
      else found.push({ name, key, mtimeMs: id.mtimeMs });
    }
    for (const name of this.read.keys()) {
      if (present.has(name)) continue;
      this.read.delete(name);
      this.readSizes.delete(name);
    }
    const resume = this.resumeAt?.path;
    found.sort((a, b) => Number(b.name === resume) - Number(a.name === resume) || a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : 1));
    this.queue.push(...found.map((f) => f.name));
  }
}
