// CheckpointStore: a file is trusted only whole and unedited (format, checksum, shape); a damaged
// newest file falls back to the intact one before it, saying so at once.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../test/support/cli.ts';
import { CheckpointError, CheckpointStore, parseCheckpoint, type Saved } from './checkpoint.ts';

const pipeline = ['batch 1000 ms', 'source in1: in.txt'];
const saved = (time: number): Saved => ({ pipeline, time, positions: { in1: { files: [] } }, state: {} });

/** A checkpoint file's bytes with a correct checksum over `body`: an edit made to look intact. */
function forged(body: string, format = 2): Buffer {
  return Buffer.from(`${JSON.stringify({ format, sha256: createHash('sha256').update(body).digest('hex') })}\n${body}`);
}

describe('parseCheckpoint', () => {
  const good = () => {
    const dir = tempDir();
    new CheckpointStore(dir).save(saved(5));
    return readFileSync(join(dir, 'checkpoint-1.json'));
  };

  it('reads what save() wrote', () => {
    expect(parseCheckpoint(good())).toEqual(saved(5));
  });

  it.each([
    ['torn', (b: Buffer) => b.subarray(0, b.length - 7), /Unterminated|Expected|checksum/],
    ['an edited offset', (b: Buffer) => Buffer.from(b.toString().replace('"time":5', '"time":6')), /checksum mismatch/],
    ['20 garbage bytes', () => Buffer.from('\x07\xff garbage bytes \x00!!'), /JSON|header/],
    ['empty', () => Buffer.alloc(0), /JSON/],
    ['positions: null, checksum made to match', () => forged(JSON.stringify({ ...saved(5), positions: null })), /positions is not an object/],
    ['a number, checksum made to match', () => forged('42'), /not an object/],
    ['the header alone', () => Buffer.from('{"format":2,"sha256":"00"}'), /checksum mismatch/],
  ])('calls a file %s damaged, saying why', (_, damage, why) => {
    expect(() => parseCheckpoint(damage(good()))).toThrow(why);
    expect(() => parseCheckpoint(damage(good()))).not.toThrow(CheckpointError);
  });

  it('still reads a checkpoint of format 1 (no checksum)', () => {
    expect(parseCheckpoint(Buffer.from(JSON.stringify({ format: 1, ...saved(3) })))).toEqual(saved(3));
  });

  it('refuses a newer format plainly instead of taking it for damage', () => {
    expect(() => parseCheckpoint(forged(JSON.stringify(saved(1)), 3))).toThrow(/format 3 is newer than this sluice reads \(2\)/);
  });
});

describe('CheckpointStore.load', () => {
  afterEach(() => vi.restoreAllMocks());

  it('falls back to the newest intact file, warning at once about each damaged one', () => {
    const dir = tempDir();
    const store = new CheckpointStore(dir);
    for (const t of [1, 2, 3]) store.save(saved(t));
    expect(readdirSync(dir).sort()).toEqual(['checkpoint-1.json', 'checkpoint-2.json', 'checkpoint-3.json', 'id']);
    writeFileSync(join(dir, 'checkpoint-3.json'), 'not a checkpoint at all');
    writeFileSync(join(dir, 'checkpoint-2.json'), forged(JSON.stringify({ ...saved(2), positions: null })));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(new CheckpointStore(dir).load(pipeline)?.time).toBe(1);
    const said = stderr.mock.calls.map(([s]) => String(s)).join('');
    expect(said).toContain(`checkpoint ${join(dir, 'checkpoint-3.json')} is damaged`);
    expect(said).toContain(`checkpoint ${join(dir, 'checkpoint-2.json')} is damaged (positions is not an object); using an older checkpoint`);
  });

  it('fails plainly when no file is intact', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'checkpoint-1.json'), '{"format":2');
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(() => new CheckpointStore(dir).load(pipeline)).toThrow(`no intact checkpoint in ${dir}: remove it to start fresh`);
  });
});
