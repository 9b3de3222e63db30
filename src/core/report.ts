// Messages on stderr: `sluice: ...`, the prefix coloured only where stderr is a terminal
// (chalk honours NO_COLOR and FORCE_COLOR).

import { chalkStderr } from 'chalk';

export function note(message: string): void {
  process.stderr.write(`${chalkStderr.dim('sluice:')} ${message}\n`);
}

/** A note that replaces the line before it (a terminal's status line): no newline until the next message ends it. */
export function noteInPlace(message: string): void {
  process.stderr.write(`\r\x1b[K${chalkStderr.dim('sluice:')} ${message}`);
}

export function error(message: string): void {
  process.stderr.write(errorText(message));
}

/** An error message as error() writes it, for a thread that writes it itself. */
export function errorText(message: string): string {
  const prefix = chalkStderr.red.bold('sluice: error:');
  return `${message.split('\n').map((line) => `${prefix} ${line}`).join('\n')}\n`;
}
