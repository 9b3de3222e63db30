// regex:RE: the named groups of RE as an object; a line that does not match is a bad record.
// A trailing CR (a CRLF line) is left out before matching.

import { CodecError, type CodecDef } from './codec.ts';

export const regex: CodecDef = {
  name: 'regex',
  summary: 'the named groups (?<name>...) of RE as an object',
  param: 'RE',
  paramRequired: true,
  create(source) {
    if (!source) throw new CodecError('regex needs a pattern: regex:RE');
    const re = new RegExp(source);
    if (!/\(\?<[A-Za-z_$]/.test(source)) throw new CodecError('regex has no named groups (?<name>...)');
    return (line) => {
      // a CRLF line ending is not part of the line, as for the other codecs: `$` matches before it
      const m = re.exec(line.endsWith('\r') ? line.slice(0, -1) : line);
      if (!m) throw new CodecError(`does not match /${source}/`);
      return { ...m.groups };
    };
  },
};
