// `sluice completion bash|zsh|fish`: the scripts the real bin/sluice prints, loaded into the real
// shells and asked to complete command lines, as a user's Tab would.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chainProgram } from '../src/cli/chain.ts';
import { COMMANDS } from '../src/cli/commands/index.ts';
import { codecWords } from '../src/io/codecs/index.ts';
import { FORMAT_WORDS } from '../src/io/render/format.ts';
import { SINKS } from '../src/io/sinks/index.ts';
import { SOURCES } from '../src/io/sources/index.ts';
import { uriCompletion } from '../src/io/uri.ts';
import { sluice, tempDir } from './support/cli.ts';
import { installed } from './support/programs.ts';

const dir = tempDir(); // where the shells run: the files they complete
const scripts = tempDir();
writeFileSync(join(dir, 'access.log'), '');
writeFileSync(join(dir, 'pipe.yaml'), '');

async function script(shell: string): Promise<string> {
  const r = await sluice(['completion', shell]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const file = join(scripts, `sluice.${shell}`);
  writeFileSync(file, r.stdout);
  return file;
}

it('refuses a shell it has no script for, naming those it has', async () => {
  const r = await sluice(['completion', 'tcsh']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('bash, zsh, fish');
});

describe.skipIf(!installed('bash'))('bash', () => {
  let file: string;
  beforeAll(async () => {
    file = await script('bash');
  });

  /** What Tab offers at the end of `line`: bash sets COMP_LINE, COMP_POINT, COMP_WORDS and COMP_CWORD, then calls the function. */
  function complete(line: string): string[] {
    const driver = `source ${JSON.stringify(file)}
COMP_LINE=$1; COMP_POINT=\${#1}
read -ra COMP_WORDS <<<"$1"; [[ $1 == *' ' ]] && COMP_WORDS+=('')
COMP_CWORD=$((\${#COMP_WORDS[@]} - 1))
_sluice
printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync('bash', ['--norc', '-c', driver, 'bash', line], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter(Boolean);
  }

  it('registers a completion function for sluice', () => {
    const r = spawnSync('bash', ['--norc', '-c', `source ${JSON.stringify(file)} && complete -p sluice`], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('complete -F _sluice sluice');
  });

  it('completes the subcommands, and every flag of the flag chain', () => {
    expect(complete('sluice ')).toEqual(COMMANDS.map((c) => c.name));
    const flags = chainProgram([]).options.flatMap((o) => [o.short, o.long]).filter(Boolean);
    expect(new Set(complete('sluice --'))).toEqual(new Set([...flags.filter((f) => f!.startsWith('--')), '--help']));
    expect(complete('sluice --count-by-v')).toEqual(['--count-by-value', '--count-by-value-and-window']);
    expect(complete('sluice --map x --red')).toEqual(expect.arrayContaining(['--reduce', '--reduce-by-key', '--reduce-by-window', '--reduce-by-key-and-window']));
  });

  it('completes codecs after --parse and formats after --format, a colon being where bash splits', () => {
    expect(complete('sluice --parse ')).toEqual(codecWords());
    expect(complete('sluice --parse cs')).toEqual(['csv', 'csv:header']);
    expect(complete('sluice --parse csv:')).toEqual(['header']); // bash replaces what follows the colon
    expect(complete('sluice --format ')).toEqual([...FORMAT_WORDS]);
    expect(complete('sluice --encoding l')).toEqual(['latin1']);
    expect(complete('sluice --on-error ')).toEqual(['fail', 'skip', 'dlq:']);
  });

  it('completes URI schemes and files after -i and -o, and the path after tail: or sqlite:', () => {
    expect(complete('sluice -i ')).toEqual([...uriCompletion(SOURCES).words!, 'access.log', 'pipe.yaml']);
    expect(complete('sluice -i ka')).toEqual(['kafka://']);
    expect(complete('sluice --in tcp')).toEqual(['tcp://', 'tcp-listen://']);
    expect(complete('sluice -o ')).toEqual(expect.arrayContaining(['sqlite:', 'postgres://', 'append:', 'dashboard:', '-']));
    expect(complete('sluice -o ')).toHaveLength(uriCompletion(SINKS).words!.length + 2);
    expect(complete('sluice -i tail:acc')).toEqual(['access.log']);
    expect(complete('sluice -o sqlite:pi')).toEqual(['pipe.yaml']);
    expect(complete('sluice --on-error dlq:acc')).toEqual(['access.log']);
    expect(complete('sluice -i access.log --parse clf --map x.status -o ap')).toEqual(['append:']);
  });

  it("completes a subcommand's own flags and arguments, and explain's flag chain", () => {
    expect(complete('sluice run --se')).toEqual(['--set']);
    expect(complete('sluice run pi')).toEqual(['pipe.yaml']);
    expect(complete('sluice lint --on').sort()).toEqual(['--on-error', '--once']);
    expect(complete('sluice test --')).toEqual(['--help']);
    expect(complete('sluice completion ')).toEqual(['bash', 'zsh', 'fish']);
    expect(complete('sluice explain --count-by-w')).toEqual(['--count-by-window']);
    // a flag's value is not a subcommand, nor completed as a flag
    expect(complete('sluice -b ')).toEqual([]);
    expect(complete('sluice --checkpoint ')).toEqual([]); // directories only: there are none here
  });
});

describe.skipIf(!installed('zsh'))('zsh', () => {
  let file: string;
  beforeAll(async () => {
    file = await script('zsh');
  });

  it('parses, and registers _sluice for sluice with compinit', () => {
    expect(spawnSync('zsh', ['-n', file], { encoding: 'utf8' }).stderr).toBe('');
    const r = spawnSync('zsh', ['-f', '-c', `autoload -Uz compinit && compinit -u -D && source ${JSON.stringify(file)} && print -r -- $_comps[sluice]`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('_sluice');
  });

  /**
   * Whether an interactive zsh (in a pseudo-terminal: zsh's zpty) shows `shown` after a Tab at the end
   * of `line`, for each pair: the driver waits for each, then clears the line with ^U, and says which
   * it saw. zsh writes what a completion inserts (`ka://` after `kaf`, perhaps with the line redrawn), or a list.
   */
  function seen(pairs: [line: string, shown: string][]): string[] {
    const driver = `zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z 'PS1="%% "; autoload -Uz compinit; compinit -u -D; source ${file}; setopt nobeep'
local out
while (( $# )); do
  zpty -w -n z "$1"$'\\t'
  zpty -r z out "*$2*" && print -r -- "seen: $1"
  zpty -w -n z $'\\x15'
  shift 2
done`;
    const r = spawnSync('zsh', ['-f', '-c', driver, 'zsh', ...pairs.flat()], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
    return r.stdout.split('\n').filter((l) => l.startsWith('seen: ')).map((l) => l.slice(6));
  }

  it('completes subcommands, flags, codecs, URI schemes and paths', () => {
    const pairs: [string, string][] = [
      ['sluice ', 'run a pipeline file'],
      ['sluice --count-by-value-a', 'nd-window'],
      ['sluice --parse csv:h', 'eader'],
      ['sluice -i kaf', 'ka://'],
      ['sluice -i tail:acc', 'ess.log'],
      ['sluice run --se', '--set'],
      ['sluice completion z', 'zsh'],
    ];
    expect(seen(pairs)).toEqual(pairs.map(([line]) => line));
  });
});

describe.skipIf(!installed('fish'))('fish', () => {
  let file: string;
  beforeAll(async () => {
    file = await script('fish');
  });

  /** fish's own answer for `line` (complete -C), the completions without their descriptions. */
  function complete(line: string): string[] {
    const r = spawnSync('fish', ['--no-config', '-c', `source ${file}; complete -C $argv[1]`, line], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]!);
  }

  it('parses', () => {
    expect(spawnSync('fish', ['--no-config', '-n', file], { encoding: 'utf8' }).stderr).toBe('');
  });

  it('completes subcommands, flags, codecs, formats, URI schemes and paths', () => {
    expect(complete('sluice ').sort()).toEqual(COMMANDS.map((c) => c.name).sort());
    expect(complete('sluice --count-by-v')).toEqual(['--count-by-value', '--count-by-value-and-window']);
    expect(complete('sluice --parse cs')).toEqual(['csv', 'csv:header']);
    expect(complete('sluice --format tsv')).toEqual(['tsv', 'tsv:cols=', 'tsv:header']);
    expect(complete('sluice -i kaf')).toEqual(['kafka://']);
    expect(complete('sluice -i tail:acc')).toEqual(['tail:access.log']);
    expect(complete('sluice -o sqlite:pi')).toEqual(['sqlite:pipe.yaml']);
    expect(complete('sluice run --se')).toEqual(['--set']);
    expect(complete('sluice run pi')).toEqual(['pipe.yaml']);
    expect(complete('sluice completion ').sort()).toEqual(['bash', 'fish', 'zsh']);
    expect(complete('sluice explain --count-by-w')).toEqual(['--count-by-window']);
  });
});
