// ${VAR} forms, defaults, required variables, the $${ escape, and where a bad reference is.

import { describe, expect, it } from 'vitest';
import { interpolate } from './interpolate.ts';

const env = { HOST: 'example.org', EMPTY: '', PORT: '9999' };

describe('interpolate', () => {
  it('replaces set variables and leaves other text alone', () => {
    expect(interpolate('tcp://${HOST}:${PORT}/x', env)).toEqual({ value: 'tcp://example.org:9999/x' });
    expect(interpolate('no $VAR or $ here', env)).toEqual({ value: 'no $VAR or $ here' });
  });

  it('uses a default when the variable is unset or empty', () => {
    expect(interpolate('${NOPE:-1s}', env)).toEqual({ value: '1s' });
    expect(interpolate('${EMPTY:-x}', env)).toEqual({ value: 'x' });
    expect(interpolate('${HOST:-x}', env)).toEqual({ value: 'example.org' });
    expect(interpolate('${NOPE:-}', env)).toEqual({ value: '' });
  });

  it('fails with the message of ${VAR:?message}, at the reference', () => {
    expect(interpolate('in: ${TOKEN:?set TOKEN to the API token}', env)).toEqual({ error: 'TOKEN: set TOKEN to the API token', index: 4 });
    expect(interpolate('${EMPTY:?}', env)).toEqual({ error: 'EMPTY: is not set', index: 0 });
  });

  it('names a missing variable that has no default', () => {
    const r = interpolate('x ${NOPE}', env);
    expect(r).toMatchObject({ index: 2 });
    expect('error' in r && r.error).toMatch(/variable NOPE is not set/);
  });

  it('keeps an empty but set variable empty', () => {
    expect(interpolate('[${EMPTY}]', env)).toEqual({ value: '[]' });
  });

  it('writes $${ as a literal ${, so JavaScript template literals can be written', () => {
    expect(interpolate('`$${x.host}:${PORT}`', env)).toEqual({ value: '`${x.host}:9999`' });
  });

  it('rejects malformed references, suggesting the escape', () => {
    for (const bad of ['${x.host}', '${}', '${PORT', '${1X}', '${A-b}']) {
      const r = interpolate(`a ${bad}`, env);
      expect(r, bad).toMatchObject({ index: 2 });
      expect('error' in r && r.error, bad).toMatch(/bad variable reference.*\$\$\{/);
    }
  });
});
