// Messages on stderr: `sluice: ...`, the prefix coloured only where stderr is a terminal that
// has colours (NO_COLOR, NODE_DISABLE_COLORS and TERM=dumb say no), or where FORCE_COLOR asks.

let stream: NodeJS.WriteStream | undefined;
/**
 * Node's stream for stderr, made at the first message (making it costs a quiet run's start-up time).
 * A closed stderr loses the messages, never the data: the run goes on, its exit status says how it ended.
 */
export function stderr(): NodeJS.WriteStream {
  return (stream ??= process.stderr.on('error', () => {}));
}

let colours: boolean | undefined;
/** Decided at the first message, not at start-up: asking a terminal costs a short run's time. */
function coloured(): boolean {
  const force = process.env.FORCE_COLOR;
  colours ??= force !== undefined && force !== '' ? force !== '0' && force !== 'false' : stderr().isTTY === true && stderr().hasColors();
  return colours;
}

/** `text` in SGR style `on` (2 dim, 1;31 bold red) where stderr takes colours. */
const styled = (on: string, text: string) => (coloured() ? `\x1b[${on}m${text}\x1b[0m` : text);

export function note(message: string): void {
  stderr().write(noteText(message));
}

/** A note as note() writes it, for a place that cannot use the stream (an interrupt of the main thread). */
export function noteText(message: string): string {
  return `${styled('2', 'sluice:')} ${message}\n`;
}

/** A note that replaces the line before it (a terminal's status line): no newline until the next message ends it. */
export function noteInPlace(message: string): void {
  stderr().write(`\r\x1b[K${styled('2', 'sluice:')} ${message}`);
}

export function error(message: string): void {
  stderr().write(errorText(message));
}

/** An error message as error() writes it, for a thread that writes it itself. */
export function errorText(message: string): string {
  const prefix = styled('1;31', 'sluice: error:');
  return `${message.split('\n').map((line) => `${prefix} ${line}`).join('\n')}\n`;
}
