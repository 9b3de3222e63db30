// --checkpoint DIR: what a restart needs, written atomically after every batch (temp file, fsync,
// rename, fsync the directory): source positions, operator state, and — before a batch's sinks
// run — the batch's time and input range, so an unfinished batch is re-run with the same time and
// the same input (as Spark re-runs the pending batches in its checkpoint). A file is a header line
// (format and SHA-256 of the rest) and the checkpoint as JSON: a torn or edited file is known as
// damaged, and the newest intact one is used instead.

import { createHash, randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { syncDir } from '../io/sinks/batch-files.ts';
import { failingAs, SluiceError } from '../core/errors.ts';
import { note } from '../core/report.ts';
import { fileError, writeAll } from '../core/write-all.ts';

/** 2: a header line with the checksum; 1: the checkpoint alone, as JSON with `format: 1` (still read). */
const FORMAT = 2;
/** Checkpoint files kept: the newest, and older ones to fall back on if it is damaged. */
const KEEP = 3;
const NAME = /^checkpoint-(\d+)\.json$/;

export interface Saved {
  /** What the pipeline looked like, one line per part, to refuse a checkpoint of another one. */
  pipeline: string[];
  /** Batch time of the last batch all sinks handled. */
  time: number;
  /** Source positions after that batch, by source name. */
  positions: Record<string, unknown>;
  /** What each source's intake knew of the files read at those positions (line counts, CSV headers), by source name. */
  intakes?: Record<string, unknown>;
  /** Operator state after that batch, by stable operator id. */
  state: Record<string, unknown>;
  /** A batch whose sinks had started: re-run it with this time, up to these positions. */
  pending?: { time: number; until: Record<string, unknown> };
}

export class CheckpointError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'checkpoint', undefined, options);
  }
}

export class CheckpointStore {
  readonly dir: string;
  /** Names this checkpoint's run for sinks that record its batches in their own store (a database's sluice_batches). */
  readonly id: string;
  private seq = 0;

  constructor(dir: string) {
    this.dir = dir;
    this.id = failingAs(`--checkpoint ${dir}: cannot use the directory`, () => {
      mkdirSync(dir, { recursive: true });
      // a checkpoint half-written when the process died
      for (const f of readdirSync(dir)) if (f.endsWith('.tmp')) rmSync(join(dir, f), { force: true });
      const idFile = join(dir, 'id');
      if (!existsSync(idFile)) writeAtomically(dir, idFile, [`${randomUUID()}\n`]);
      return readFileSync(idFile, 'utf8').trim();
    });
  }

  /** The newest intact checkpoint (saying at once which newer ones are damaged), refusing one written by a different pipeline. */
  load(pipeline: string[]): Saved | undefined {
    const files = this.files();
    this.seq = files.at(-1)?.[0] ?? 0; // new ones come after every file there, damaged ones too
    for (const [, file] of files.toReversed()) {
      const path = join(this.dir, file);
      let saved: Saved;
      try {
        saved = parseCheckpoint(readFileSync(path));
      } catch (err) {
        if (err instanceof CheckpointError) throw err;
        note(`checkpoint ${path} is damaged (${(err as Error).message}); using an older checkpoint`);
        continue;
      }
      const changes = differences(saved.pipeline, pipeline);
      if (changes.length) {
        throw new CheckpointError(
          `checkpoint ${this.dir} was written by a different pipeline:\n${changes.join('\n')}\n` +
            `to start fresh, use another --checkpoint directory or remove ${this.dir}`,
        );
      }
      return saved;
    }
    if (files.length) throw new CheckpointError(`no intact checkpoint in ${this.dir}: remove it to start fresh`);
    return undefined;
  }

  /** Write a checkpoint and prune the oldest; a file that cannot be written whole (a full disk) is removed, and the run fails. */
  save(saved: Saved): void {
    const body = Buffer.from(JSON.stringify(saved));
    writeAtomically(this.dir, join(this.dir, `checkpoint-${++this.seq}.json`), [`${JSON.stringify({ format: FORMAT, sha256: sha256(body) })}\n`, body]);
    for (const [, old] of this.files().slice(0, -KEEP)) rmSync(join(this.dir, old), { force: true });
  }

  private files(): [number, string][] {
    return readdirSync(this.dir)
      .map((f) => [Number(NAME.exec(f)?.[1]), f] as [number, string])
      .filter(([seq]) => Number.isInteger(seq))
      .sort((a, b) => a[0] - b[0]);
  }
}

/**
 * Temporary file, fsync, rename, fsync of the directory: `file` is there whole or not at all; one
 * that cannot be written whole (a full disk) is removed, and the run fails.
 */
function writeAtomically(dir: string, file: string, parts: (string | Buffer)[]): void {
  const tmp = `${file}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      for (const part of parts) writeAll(fd, part, file);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    syncDir(dir);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new CheckpointError(fileError(err, file).message, { cause: err });
  }
}

/**
 * The checkpoint in a file's bytes; throws a plain Error saying what is wrong with a damaged one
 * (torn, edited, not a checkpoint), a CheckpointError for one this sluice cannot read (newer).
 */
export function parseCheckpoint(bytes: Buffer): Saved {
  const nl = bytes.indexOf(10);
  const header = JSON.parse(bytes.toString('utf8', 0, nl < 0 ? bytes.length : nl)) as { format?: unknown; sha256?: unknown };
  if (typeof header !== 'object' || header === null) throw new Error('no header');
  let saved: unknown;
  if (header.format === 1 && nl < 0) {
    const { format: _, ...rest } = header;
    saved = rest;
  } else if (header.format === FORMAT) {
    const body = bytes.subarray(nl + 1);
    if (nl < 0 || header.sha256 !== sha256(body)) throw new Error('checksum mismatch');
    saved = JSON.parse(body.toString('utf8'));
  } else if (typeof header.format === 'number' && header.format > FORMAT) {
    throw new CheckpointError(`checkpoint format ${header.format} is newer than this sluice reads (${FORMAT}): run a newer sluice or use another --checkpoint directory`);
  } else {
    throw new Error(`unknown format ${JSON.stringify(header.format)}`);
  }
  const problem = invalid(saved);
  if (problem) throw new Error(problem);
  return saved as Saved;
}

/** What is wrong with a parsed checkpoint's shape, if anything. */
function invalid(saved: unknown): string | undefined {
  const s = saved as Partial<Saved>;
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(s)) return 'not an object';
  if (!Array.isArray(s.pipeline) || !s.pipeline.every((l) => typeof l === 'string')) return 'pipeline is not a list of strings';
  if (!Number.isFinite(s.time)) return 'time is not a number';
  if (!isObject(s.positions)) return 'positions is not an object';
  if (!isObject(s.state)) return 'state is not an object';
  if (s.pending !== undefined && !(isObject(s.pending) && Number.isFinite(s.pending.time) && isObject(s.pending.until))) return 'pending is not {time, until}';
  return undefined;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function differences(before: string[], now: string[]): string[] {
  const was = new Set(before);
  const is = new Set(now);
  return [...before.filter((l) => !is.has(l)).map((l) => `  was: ${l}`), ...now.filter((l) => !was.has(l)).map((l) => `  now: ${l}`)];
}
