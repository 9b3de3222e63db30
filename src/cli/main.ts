// The sluice command: dispatches subcommands, runs a flag chain, maps errors to exit statuses.

import pkg from '../../package.json' with { type: 'json' };
import { ConfigError, EXIT, ioFailure, SluiceError } from '../core/errors.ts';
import { ExpressionFailed } from '../operators/operator.ts';
import { chainProgram, parseChain, planChain } from './chain.ts';
import { command, COMMANDS } from './commands/index.ts';
import { HELP_FOOTER, uriHelp } from './help.ts';
import { error, stderr } from '../core/report.ts';
import { stdoutWritten, writeStdout } from '../core/stdout.ts';
import { runPipeline } from './run.ts';

export async function main(argv: string[]): Promise<number> {
  const subcommand = command(argv[0]);
  if (subcommand) return subcommand.run(argv.slice(1));
  if (argv.includes('-h') || argv.includes('--help')) {
    const commands = COMMANDS.map((c) => `  sluice ${`${c.name} ${c.usage}`.padEnd(40)} ${c.summary}\n`).join('');
    writeStdout(`${chainProgram([]).helpInformation()}\nPipeline files:\n${commands}\n${uriHelp()}${HELP_FOOTER}`);
    return EXIT.ok;
  }
  if (argv.includes('-V') || argv.includes('--version')) {
    writeStdout(`sluice ${pkg.version}\n`);
    return EXIT.ok;
  }
  await runPipeline(planChain(parseChain(argv)));
  return EXIT.ok;
}

export async function entry(argv: string[]): Promise<void> {
  let status: number;
  try {
    status = await main(argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      // positioned FILE:LINE:COL: lines, as compilers and linters write them
      stderr().write(`${err.problems.join('\n')}\n`);
      status = err.exitCode;
    } else if (err instanceof SluiceError) {
      error(err.message);
      status = err.exitCode;
    } else if (err instanceof Error && 'syscall' in err) {
      // the operating system said no (a file, a socket) somewhere that did not say what it was doing
      const { path, syscall } = err as NodeJS.ErrnoException;
      error(ioFailure(path ? `${syscall} ${path}` : String(syscall), err).message);
      status = EXIT.runtime;
    } else if (err instanceof ExpressionFailed) {
      error(err.message);
      status = EXIT.runtime;
    } else {
      error(`internal error: ${(err as Error)?.stack ?? String(err)}`);
      status = EXIT.runtime;
    }
  }
  // exit explicitly once stdout is drained: a read still blocked on a quiet stdin, or a socket
  // of a source, must not keep a finished run alive; a turn of the event loop first, as a write's
  // callback gave before, for what a closed client finishes in the background (zeromq's last messages)
  void Promise.resolve(stdoutWritten()).then(() => setImmediate(() => process.exit(status)));
}

void entry(process.argv.slice(2)); // no top-level await: the single binary's bundle is CommonJS
