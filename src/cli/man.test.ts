// man/sluice.1 must say what the flag and registry tables say (regenerate it with `npm run man`),
// and man, --help and README must agree with what the command line accepts.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { CODECS, codecUsage, createDecoder } from '../io/codecs/index.ts';
import { OPERATORS } from '../operators/index.ts';
import { OPTIONS } from '../pipeline/options.ts';
import { chainProgram } from './chain.ts';
import { manPage } from './man.ts';

const man = readFileSync(new URL('../../man/sluice.1', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const flags = new Set(chainProgram([]).options.map((o) => o.long!));

it('man/sluice.1 is up to date with the flag table (npm run man)', () => {
  expect(man).toBe(manPage(pkg.version));
});

describe('man, help and README agree with the command line', () => {
  const section = (name: string) => man.slice(man.indexOf(`.SH ${name}\n`), man.indexOf('\n.SH ', man.indexOf(`.SH ${name}\n`) + 1));

  it('the flags man lists are the flags the command line takes', () => {
    const listed = [...`${section('OPTIONS')}${section('OPERATORS')}`.matchAll(/^\\fB(?:\\-\w\\fR, \\fB)?\\-\\-([a-z-]+)\\fR/gm)].map((m) => `--${m[1]}`);
    expect(new Set(listed)).toEqual(new Set([...flags].filter((f) => f !== '--help' && !OPERATORS.some((op) => Object.keys(op.options ?? {}).some((o) => `--${o}` === f)))));
    // operators with a second input are pipeline-file keys: no flag for them, nor in man
    for (const op of OPERATORS.filter((o) => o.kind === 'pair')) {
      expect(flags.has(`--${op.name}`)).toBe(false);
      expect(section('OPERATORS OF PIPELINE FILES')).toContain(`\\fB${op.name}:\\fR`);
    }
  });

  it("every flag of README's operator table is one the command line takes", () => {
    const table = readme.slice(readme.indexOf('| operators |'), readme.indexOf('\n\n', readme.indexOf('| operators |')));
    const named = [...table.matchAll(/`(--[a-z-]+)/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((f) => !flags.has(f))).toEqual([]);
  });

  it('codecs are spelled as --parse takes them, alike in man, --help and README', () => {
    const help = OPTIONS.find((o) => o.name === 'parse')!.summary;
    const input = readme.slice(readme.indexOf('**Input**'), readme.indexOf('\n', readme.indexOf('**Input**')));
    for (const codec of CODECS) {
      const usage = codecUsage(codec);
      expect(help).toContain(usage);
      expect(input).toContain(usage);
      expect(section('CODECS')).toContain(`\\fB${usage}\\fR`);
      // NAME[:P] may leave the part out; NAME:P may not
      if (codec.param && !codec.paramRequired) expect(() => createDecoder(codec.name)).not.toThrow();
      if (codec.paramRequired) expect(() => createDecoder(codec.name)).toThrow(`${codec.name}:${codec.param}`);
    }
  });
});
