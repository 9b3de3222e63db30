// Writes man/sluice.1 from the flag and registry tables (npm run man).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { manPage } from '../src/cli/man.ts';

const root = new URL('..', import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
mkdirSync(new URL('man', root), { recursive: true });
writeFileSync(new URL('man/sluice.1', root), manPage(version));
