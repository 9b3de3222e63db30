// --checkpoint DIR: what a restart needs, written atomically after every batch (temp file, fsync,
// rename, fsync the directory): source positions, operator state, and — before a batch's sinks
// run — the batch's time and input range, so an unfinished batch is re-run with the same time and
// the same input (as Spark re-runs the pending batches in its checkpoint).

import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { syncDir } from '../io/sinks/batch-files.ts';
import { failingAs, SluiceError } from '../core/errors.ts';

const FORMAT = 1;
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
  constructor(message: string) {
    super(message, 'checkpoint');
  }
}

export class CheckpointStore {
  private readonly dir: string;
  /** Names this checkpoint's run for sinks that record its batches in their own store (a database's sluice_batches). */
  readonly id: string;
  private seq = 0;
  /** Problems met while loading that did not stop it (a damaged newest file), for stderr. */
  readonly warnings: string[] = [];

  constructor(dir: string) {
    this.dir = dir;
    this.id = failingAs(`--checkpoint ${dir}: cannot use the directory`, () => {
      mkdirSync(dir, { recursive: true });
      // a checkpoint half-written when the process died
      for (const f of readdirSync(dir)) if (f.endsWith('.tmp')) rmSync(join(dir, f), { force: true });
      const idFile = join(dir, 'id');
      if (!existsSync(idFile)) writeAtomically(dir, idFile, `${randomUUID()}\n`);
      return readFileSync(idFile, 'utf8').trim();
    });
  }

  /** The newest readable checkpoint, refusing one written by a different pipeline. */
  load(pipeline: string[]): Saved | undefined {
    const files = this.files();
    this.seq = files.at(-1)?.[0] ?? 0; // new ones come after every file there, damaged ones too
    for (const [, file] of files.toReversed()) {
      let saved: Saved & { format: number };
      try {
        saved = JSON.parse(readFileSync(join(this.dir, file), 'utf8'));
        if (saved.format !== FORMAT || !Array.isArray(saved.pipeline)) throw new Error(`unknown format ${saved.format}`);
      } catch (err) {
        this.warnings.push(`${join(this.dir, file)} is damaged (${(err as Error).message}); using an older checkpoint`);
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
    if (files.length) throw new CheckpointError(`no readable checkpoint in ${this.dir}: remove it to start fresh`);
    return undefined;
  }

  /** Write a checkpoint and prune the oldest. */
  save(saved: Saved): void {
    const file = join(this.dir, `checkpoint-${++this.seq}.json`);
    // named by the checkpoint it writes, not the temporary file
    failingAs(`--checkpoint ${this.dir}: cannot write ${file}`, () => {
      writeAtomically(this.dir, file, JSON.stringify({ format: FORMAT, ...saved }));
      for (const [, old] of this.files().slice(0, -KEEP)) rmSync(join(this.dir, old), { force: true });
    });
  }

  private files(): [number, string][] {
    return readdirSync(this.dir)
      .map((f) => [Number(NAME.exec(f)?.[1]), f] as [number, string])
      .filter(([seq]) => Number.isInteger(seq))
      .sort((a, b) => a[0] - b[0]);
  }
}

/** Temporary file, fsync, rename, fsync of the directory: `file` is there whole or not at all. */
function writeAtomically(dir: string, file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  syncDir(dir);
}

function differences(before: string[], now: string[]): string[] {
  const was = new Set(before);
  const is = new Set(now);
  return [...before.filter((l) => !is.has(l)).map((l) => `  was: ${l}`), ...now.filter((l) => !was.has(l)).map((l) => `  now: ${l}`)];
}
