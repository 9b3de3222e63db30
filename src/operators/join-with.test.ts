// join-with and left-outer-join-with against real table files: each format, several rows for a
// key, a file changed between batches, and bad files named by file, line and column.

import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collector, ops, runBatches } from '../../test/support/batches.ts';
import { tempDir } from '../../test/support/cli.ts';
import { buildChain, resolveOps } from './chain.ts';

const clicks = [[['u1', '/a'], ['u2', '/b'], ['u9', '/c']]];

function table(name: string, text: string): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

describe('join-with', () => {
  it('joins pairs with the rows of a CSV, TSV, JSON or NDJSON table, keyed by the first field', async () => {
    const csv = table('users.csv', 'id,name\nu1,Ann\nu2,"Bo, Jr."\n');
    expect((await runBatches(clicks, [['join-with', csv]]))[0]!.records).toEqual([
      ['u1', ['/a', { id: 'u1', name: 'Ann' }]],
      ['u2', ['/b', { id: 'u2', name: 'Bo, Jr.' }]],
    ]);
    const bom = table('users-bom.csv', '\uFEFFid,name\nu1,Ann\n');
    expect((await runBatches(clicks, [['join-with', bom]]))[0]!.records).toEqual([['u1', ['/a', { id: 'u1', name: 'Ann' }]]]);
    const tsv = table('users.tsv', 'id\tname\nu1\tAnn\n');
    expect((await runBatches(clicks, [['join-with', tsv]]))[0]!.records).toEqual([['u1', ['/a', { id: 'u1', name: 'Ann' }]]]);
    const json = table('users.json', '{"u1": "Ann", "u2": {"admin": true}}');
    expect((await runBatches(clicks, [['join-with', json]]))[0]!.records).toEqual([
      ['u1', ['/a', 'Ann']],
      ['u2', ['/b', { admin: true }]],
    ]);
    const ndjson = table('users.ndjson', '["u1", 1]\n{"id": "u2", "n": 2}\n\n["u1", 3]\n');
    expect((await runBatches(clicks, [['join-with', ndjson]]))[0]!.records).toEqual([
      ['u1', ['/a', 1]],
      ['u1', ['/a', 3]],
      ['u2', ['/b', { id: 'u2', n: 2 }]],
    ]);
  });

  it('left-outer-join-with keeps pairs without a row, with null', async () => {
    const json = table('users.json', '[["u1", "Ann"]]');
    expect((await runBatches(clicks, [['left-outer-join-with', json]]))[0]!.records).toEqual([
      ['u1', ['/a', 'Ann']],
      ['u2', ['/b', null]],
      ['u9', ['/c', null]],
    ]);
  });

  it('reads the table again when the file changes, from the next batch on', async () => {
    const path = table('users.json', '{"u1": "Ann"}');
    const { ops: resolved } = resolveOps(ops(['join-with', path]), 1000);
    const out = collector();
    const chain = buildChain(resolved, out);
    const batch = async (time: number) => {
      chain.begin(time);
      chain.push(['u1', '/a']);
      await chain.end();
    };
    await batch(1000);
    writeFileSync(path, '{"u1": "Annie"}');
    utimesSync(path, new Date(), new Date(Date.now() + 5000)); // a new mtime even on a coarse clock
    await batch(2000);
    writeFileSync(path, '{"u1": '); // half written: the last good table stays
    utimesSync(path, new Date(), new Date(Date.now() + 10_000));
    await batch(3000);
    expect(out.batches.map((b) => b.records)).toEqual([[['u1', ['/a', 'Ann']]], [['u1', ['/a', 'Annie']]], [['u1', ['/a', 'Annie']]]]);
  });

  it('says which file, line and column of a table are wrong', async () => {
    const bad = async (name: string, text: string) => runBatches([], [['join-with', table(name, text)]]).catch((err: Error) => err.message.replace(/^.*\//, ''));
    expect(await bad('t.ndjson', '["a", 1]\n{"b": 2,}\n')).toMatch(/^t.ndjson:2(:\d+)?: invalid JSON/);
    expect(await bad('t.json', '{\n  "a": 1\n  "b": 2\n}')).toMatch(/^t.json:3:3: invalid JSON/);
    expect(await bad('t.csv', 'id,name\na,"x\n')).toBe('t.csv:2:3: unterminated quoted field');
    expect(await bad('t.csv', 'id,name\na\n')).toBe('t.csv:2: 1 fields where the header has 2');
    expect(await bad('t.ndjson', '3\n')).toBe('t.ndjson:1: a row is a pair [key, value] or an object keyed by its first field');
    expect(await bad('t.txt', 'a')).toMatch(/t.txt: a table file ends in .csv, .tsv, .json, .ndjson, .jsonl/);
  });
});
