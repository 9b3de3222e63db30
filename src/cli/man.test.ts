// man/sluice.1 must say what the flag and registry tables say: regenerate it with `npm run man`.

import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { manPage } from './man.ts';

it('man/sluice.1 is up to date with the flag table (npm run man)', () => {
  const shipped = readFileSync(new URL('../../man/sluice.1', import.meta.url), 'utf8');
  expect(shipped).toBe(manPage(pkg.version));
});
