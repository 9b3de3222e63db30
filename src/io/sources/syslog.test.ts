// TCP syslog framing: octet counting and newline framing, mixed on one stream and cut anywhere.

import { describe, expect, it } from 'vitest';
import { SyslogFrames } from './syslog.ts';

function frames(chunks: string[]): { messages: string[]; bad: string | undefined } {
  const messages: string[] = [];
  const f = new SyslogFrames((m) => messages.push(m));
  let bad: string | undefined;
  for (const c of chunks) bad ??= f.push(Buffer.from(c));
  f.end();
  return { messages, bad };
}

const STREAM = '<34>1 2003-10-11T22:14:15.003Z host su - ID47 - hi\n27 <13>Oct 11 22:14:15 a b: c\n<13>Oct 11 22:14:15 host app: with\nnewline? no\n11 <1>1 - - x\r\n';
const MESSAGES = ['<34>1 2003-10-11T22:14:15.003Z host su - ID47 - hi', '<13>Oct 11 22:14:15 a b: c', '<13>Oct 11 22:14:15 host app: with', 'newline? no', '<1>1 - - x'];

describe('SyslogFrames', () => {
  it('reads octet-counted and newline-framed messages, mixed', () => {
    expect(frames([STREAM])).toEqual({ messages: MESSAGES, bad: undefined });
  });

  it('gives the same messages however the stream is cut', () => {
    for (let cut = 1; cut < STREAM.length; cut++) {
      expect(frames([STREAM.slice(0, cut), STREAM.slice(cut)]).messages, `cut at ${cut}`).toEqual(MESSAGES);
    }
    expect(frames([...STREAM]).messages).toEqual(MESSAGES);
  });

  it('takes a line that starts with digits but no length as newline framed, and a last line without its newline', () => {
    expect(frames(['2026-12-03 up\n42\nend']).messages).toEqual(['2026-12-03 up', '42', 'end']);
  });

  it('refuses a length past the bound, and counts bytes not characters', () => {
    expect(frames(['99999999 x']).bad).toMatch(/99999999 bytes is announced/);
    expect(frames(['6 <1>é\n']).messages).toEqual(['<1>é']);
  });
});
