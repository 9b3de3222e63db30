// Which pipelines the field fusion rewrites: the spellings that only pick a split field of the line,
// and none where the record is not the decoded line or the source has other readers.

import { describe, expect, it } from 'vitest';
import { parseChain } from '../cli/chain.ts';
import { fuseFieldAccess } from './fuse.ts';

const fused = (...argv: string[]) => [...fuseFieldAccess(parseChain(argv)).values()].map((f) => f.decoder('a  b c\n', 0, 6));

describe('fuseFieldAccess', () => {
  it('fuses x[N] after --parse split and x.split(SEP)[N] on plain lines', () => {
    expect(fused('--parse', 'split', '--map', 'x[1]')).toEqual(['b']);
    expect(fused('--parse', 'split: ', '--map', 'x[1]')).toEqual(['']);
    expect(fused('--map', 'x.split(" ")[2]')).toEqual(['b']);
    expect(fused('--map', "x.split(' ') [ 3 ]")).toEqual(['c']);
  });

  it('leaves other spellings and other records to the general path', () => {
    expect(fused('--map', 'x[1]')).toEqual([]); // a character, not a field
    expect(fused('--parse', 'json', '--map', 'x.split(" ")[1]')).toEqual([]);
    expect(fused('--map', 'x.split(" ")[1] + 1')).toEqual([]);
    expect(fused('--map', 'x.split("\\t")[1]')).toEqual([]); // an escape: not read here
    expect(fused('-i', 'kafka://127.0.0.1:9092/t?meta=true', '--map', 'x.split(" ")[1]')).toEqual([]);
  });
});
