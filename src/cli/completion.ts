// Shell completion scripts for bash, zsh and fish, generated from the commander programs the command
// line parses with (which flags each subcommand takes) and the option and operator tables (what their
// values are: codecs, formats, URI schemes, files), so that completion offers what sluice accepts.

import type { Command } from 'commander';
import { completionOf, type Completion, type Field } from '../core/values.ts';
import { OPERATORS } from '../operators/index.ts';
import { OPTIONS } from '../pipeline/options.ts';
import { chainProgram } from './chain.ts';
import { COMMANDS } from './commands/index.ts';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface Flag {
  /** `-b`, `--batch` */
  names: string[];
  summary: string;
  /** What help calls its value (DUR, CODEC). */
  metavar: string;
  /** What completes its value; undefined when it takes none (or one that must be in the same word, `--print=5`). */
  value?: Completion;
}

interface Context {
  /** The subcommand; '' for a flag chain. */
  command: string;
  flags: Flag[];
  /** What completes its arguments, if it takes any. */
  args?: Completion;
}

const HELP: Flag = { names: ['-h', '--help'], summary: 'show help', metavar: '' };

/** Every field a flag can be, by its name: the core options, the operators and their options. */
const FIELDS = new Map<string, Pick<Field, 'value' | 'complete'>>([
  ...OPTIONS.map((o) => [o.name, o] as const),
  ...OPERATORS.flatMap((op) => [[op.name, { value: op.arg }] as const, ...Object.entries(op.options ?? {}).map(([name, o]) => [name, { value: o.arg }] as const)]),
]);

/** A summary cut to what fits beside a flag in a shell's menu. */
function brief(summary: string): string {
  const first = summary.split(/; | \(/)[0]!;
  return first.length <= 72 ? first : `${first.slice(0, first.lastIndexOf(' ', 69))}...`;
}

function contextOf(command: string, program: Command): Context {
  const flags = program.options.map((o) => ({
    names: [o.short, o.long].filter((n): n is string => !!n),
    summary: brief(o.description),
    metavar: / [<[](.*)[>\]]$/.exec(o.flags)?.[1] ?? '',
    value: o.required ? (o.argChoices ? { words: o.argChoices } : completionOf(FIELDS.get(o.name()) ?? { value: { kind: 'string' } })) : undefined,
  }));
  const arg = program.registeredArguments[0];
  const args = arg && (arg.argChoices ? { words: arg.argChoices } : { paths: 'files' as const });
  return { command, flags: [...flags, HELP], args };
}

function contexts(): Context[] {
  return [contextOf('', chainProgram([])), ...COMMANDS.map((c) => contextOf(c.name, c.program()))];
}

/** The completion script for `shell`. */
export function completionScript(shell: Shell): string {
  return { bash, zsh, fish }[shell](contexts());
}

/** Text in single quotes for bash and zsh (neither expands anything inside). */
function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Text in single quotes for fish, where a backslash escapes a quote or a backslash. */
function fishQuote(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** The distinct value completions of all flags, each with the number its helper function is named by. */
function valueKinds(all: Context[]): { key: (c: Completion) => number; list: Completion[] } {
  const list: Completion[] = [];
  const index = new Map<string, number>();
  const id = (c: Completion) => JSON.stringify([c.words ?? [], c.paths ?? '', c.pathPrefixes ?? []]);
  for (const flag of all.flatMap((c) => c.flags)) {
    if (!flag.value || index.has(id(flag.value))) continue;
    index.set(id(flag.value), list.length);
    list.push(flag.value);
  }
  return { key: (c) => index.get(id(c))!, list };
}

const words = (c: Completion) => (c.words ?? []).join(' ');
const prefixes = (c: Completion) => (c.pathPrefixes ?? []).join(' ');

function bash(all: Context[]): string {
  const flagValues = new Map<string, Completion | undefined>();
  for (const flag of all.flatMap((c) => c.flags)) for (const name of flag.names) flagValues.set(name, flag.value);
  const takingValue = [...flagValues].filter(([, v]) => v);
  const byValue = Map.groupBy(takingValue, ([, v]) => JSON.stringify(v));
  const valueCases = [...byValue.values()].map((flags) => {
    const c = flags[0]![1]!;
    const call = c.words?.length || c.paths ? `_sluice_value ${quote(words(c))} ${c.paths === 'dirs' ? '-d' : c.paths ? '-f' : "''"} ${quote(prefixes(c))}` : ':';
    return `    ${flags.map(([name]) => name).join('|')}) ${call} ;;`;
  });
  // the flag chain's case, *, goes last
  const commandCases = [...all.slice(1), all[0]!].map((c) => {
    const flags = quote(c.flags.flatMap((f) => f.names).join(' '));
    const rest = c.command
      ? c.args ? `_sluice_value ${quote(words(c.args))} ${c.args.paths ? '-f' : "''"} ''` : ':'
      : `((\${#words[@]} == 2)) && _sluice_words ${quote(COMMANDS.map((d) => d.name).join(' '))}`;
    return `    ${c.command || '*'}) if [[ $_sluice_cur == -* ]]; then _sluice_words ${flags}; else ${rest}; fi ;;`;
  });
  return `# bash completion for sluice, generated by \`sluice completion bash\` from its flag tables.
# Load it with \`source <(sluice completion bash)\` (in ~/.bashrc), or save it as
# ~/.local/share/bash-completion/completions/sluice.

# The words of $1 that complete the current word.
_sluice_words() {
  local -a ws
  local w
  read -ra ws <<<"$1"
  for w in "\${ws[@]}"; do [[ $w == "$_sluice_cur"* ]] && COMPREPLY+=("$w"); done
}

# Files (-f) or directories (-d) completing the current word after the prefix $2.
_sluice_paths() {
  local p
  while IFS= read -r p; do COMPREPLY+=("$2$p"); done < <(compgen "$1" -- "\${_sluice_cur#"$2"}")
  compopt -o filenames 2>/dev/null
}

# A value: the words $1, paths ($2: -f, -d or ''), and a path after one of the words $3 (tail:).
_sluice_value() {
  local p
  for p in $3; do
    if [[ $_sluice_cur == "$p"* ]]; then _sluice_paths "\${2:--f}" "$p"; return; fi
  done
  _sluice_words "$1"
  [[ -n $2 ]] && _sluice_paths "$2" ''
}

# The value of the flag $1, if it takes one (then 0).
_sluice_flag_value() {
  case $1 in
${valueCases.join('\n')}
    *) return 1 ;;
  esac
}

_sluice() {
  local line=\${COMP_LINE:0:COMP_POINT} _sluice_cur prev cmd=
  local -a words
  read -ra words <<<"$line"
  [[ -z $line || $line == *[[:space:]] ]] && words+=('')
  _sluice_cur=\${words[\${#words[@]}-1]}
  prev=\${words[\${#words[@]}-2]}
  COMPREPLY=()
  if ((\${#words[@]} > 2)); then
    case \${words[1]} in ${COMMANDS.map((c) => c.name).join('|')}) cmd=\${words[1]} ;; esac
  fi
  if ! _sluice_flag_value "$prev"; then
    case $cmd in
${commandCases.join('\n')}
    esac
  fi
  # bash splits words at : and = (COMP_WORDBREAKS) and replaces only what follows the last one
  local breaks=\${COMP_WORDBREAKS//[^:=]/}
  if [[ -n $breaks && $_sluice_cur == *["$breaks"]* ]]; then
    local pre=\${_sluice_cur%"\${_sluice_cur##*["$breaks"]}"}
    COMPREPLY=("\${COMPREPLY[@]#"$pre"}")
  fi
  if ((\${#COMPREPLY[@]} == 1)) && [[ $COMPREPLY == *[:=/] ]]; then compopt -o nospace 2>/dev/null; fi
  return 0
}

complete -F _sluice sluice
`;
}

/** Text for inside the brackets or between the colons of a zsh _arguments spec. */
function zshText(text: string): string {
  return text.replace(/[\\[\]:]/g, (c) => `\\${c}`);
}

function zsh(all: Context[]): string {
  const kinds = valueKinds(all);
  const helpers = kinds.list.map((c, i) => `_sluice_v${i}() { _sluice_value ${quote(words(c))} ${quote(c.paths ?? '')} ${quote(prefixes(c))} }`);
  const spec = (flag: Flag) =>
    flag.names.map((name) => {
      const explanation = `[${zshText(flag.summary)}]`;
      if (!flag.value) return quote(`*${name}${explanation}`);
      const action = flag.value.words?.length || flag.value.paths ? `_sluice_v${kinds.key(flag.value)}` : ' ';
      return quote(`*${name}${name.startsWith('--') ? '=' : '+'}${explanation}:${zshText(flag.metavar)}:${action}`);
    });
  const args = (c: Context) => (c.args ? [quote(`*:${c.args.paths ? 'file' : 'value'}:${c.args.paths ? '_files' : `(${words(c.args)})`}`)] : []);
  const cases = [...all.slice(1), all[0]!].map((c) => {
    const specs = [...c.flags.flatMap(spec), ...args(c)].join(' \\\n        ');
    return `    ${c.command || '*'})\n      ${c.command ? 'shift words; (( CURRENT-- )); ' : ''}_arguments -s : \\\n        ${specs} ;;`;
  });
  return `#compdef sluice
# zsh completion for sluice, generated by \`sluice completion zsh\` from its flag tables.
# Load it with \`source <(sluice completion zsh)\` after compinit (in ~/.zshrc), or save it as _sluice
# in a directory of $fpath.

# A value: the words $1 (no space after one ending in : / or =), files or dirs ($2), and a path after
# one of the words $3 (tail:).
_sluice_value() {
  local p w
  for p in \${=3}; do
    if [[ $PREFIX == $p* ]]; then
      compset -P "$p"
      if [[ $2 == dirs ]]; then _files -/; else _files; fi
      return
    fi
  done
  for w in \${=1}; do
    if [[ $w == *[:/=] ]]; then compadd -S '' -- "$w"; else compadd -- "$w"; fi
  done
  [[ $2 == files ]] && _files
  [[ $2 == dirs ]] && _files -/
  return 0
}
${helpers.join('\n')}

_sluice() {
  local -a commands=(${COMMANDS.map((c) => quote(`${c.name}:${c.summary.replaceAll(':', '\\:')}`)).join(' ')})
  if (( CURRENT == 2 )) && [[ $PREFIX != -* ]]; then
    _describe -t commands 'sluice command' commands
    return
  fi
  case $words[2] in
${cases.join('\n')}
  esac
}

if [[ $funcstack[1] == _sluice ]]; then
  _sluice "$@"
else
  compdef _sluice sluice
fi
`;
}

function fish(all: Context[]): string {
  const kinds = valueKinds(all);
  const helpers = kinds.list.map((c, i) => {
    const paths = c.paths === 'dirs' ? '__fish_complete_directories' : '__fish_complete_path';
    return `function __sluice_v${i}
    set -l token (commandline -ct)
    for p in ${prefixes(c)}
        if string match -q -- "$p*" $token
            for path in (${paths} (string sub -s (math (string length -- $p) + 1) -- $token))
                echo $p$path
            end
            return
        end
    end${c.words?.length ? `\n    printf '%s\\n' ${c.words.map(quote).join(' ')}` : ''}${c.paths ? `\n    ${paths} $token` : ''}
end`;
  });
  const lines = all.flatMap((c) => {
    if (c.command === 'explain') return []; // it takes what a flag chain takes
    const when = c.command ? `-n '__sluice_in ${c.command}'` : `-n "__sluice_in '' explain"`;
    const flags = c.flags.map((f) => {
      const names = f.names.map((n) => (n.startsWith('--') ? `-l ${n.slice(2)}` : `-s ${n.slice(1)}`)).join(' ');
      const value = f.value ? (f.value.words?.length || f.value.paths ? ` -x -a '(__sluice_v${kinds.key(f.value)})'` : ' -x') : '';
      return `complete -c sluice ${when} ${names}${value} -d ${fishQuote(f.summary)}`;
    });
    const args = c.args ? [`complete -c sluice ${when} ${c.args.paths ? '-F' : `-a ${fishQuote(words(c.args))}`}`] : [];
    return [...flags, ...args];
  });
  const commands = COMMANDS.map((c) => `complete -c sluice -n '__fish_is_nth_token 1' -a ${c.name} -d ${fishQuote(brief(c.summary))}`);
  return `# fish completion for sluice, generated by \`sluice completion fish\` from its flag tables.
# Load it with \`sluice completion fish | source\`, or save it as ~/.config/fish/completions/sluice.fish.

complete -c sluice -e
complete -c sluice -f

# Whether the subcommand is one of the arguments ('' for a flag chain).
function __sluice_in
    set -l tokens (commandline -opc)
    set -l command ''
    if set -q tokens[2]; and contains -- $tokens[2] ${COMMANDS.map((c) => c.name).join(' ')}
        set command $tokens[2]
    end
    contains -- "$command" $argv
end

${helpers.join('\n\n')}

${[...commands, ...lines].join('\n')}
`;
}
