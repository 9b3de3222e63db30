// npm run build:binary (after npm run build): dist/sluice, or the path given, one executable for
// this platform made with Node's own single-executable-application support from the pinned Node:
// dist/main.js (src/cli/launch.ts) as its main script, and the rest of dist/ as its assets, named as
// the files are there: the program and its code caches, the client libraries, the --repartition
// worker, the --ui page and zeromq's addon.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DIST, EXEC_ARGV, NODE, root, UI } from './bundle.ts';

const output = resolve(process.argv[2] ?? `${DIST}/sluice`);
const work = mkdtempSync(join(tmpdir(), 'sluice-binary-'));
try {
  const files = ['sluice.js', 'sluice.cache', 'run.cache', 'repartition-worker.js', 'zeromq.node', ...UI.map((file) => `ui/${file}`), ...readdirSync(`${DIST}/lib`, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js')).map((file) => `lib/${file}`)];
  const config = {
    main: `${DIST}/main.js`,
    output: `${work}/sea-prep.blob`,
    disableExperimentalSEAWarning: true,
    execArgv: EXEC_ARGV,
    assets: Object.fromEntries(files.map((file) => [file, `${DIST}/${file}`])),
  };
  writeFileSync(`${work}/sea-config.json`, JSON.stringify(config));
  execFileSync(NODE, ['--experimental-sea-config', `${work}/sea-config.json`], { stdio: 'ignore' });
  rmSync(output, { force: true }); // a binary still running keeps its file; this one is new
  copyFileSync(NODE, output);
  const postject = root('node_modules/postject/dist/cli.js');
  const fuse = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'; // the sentinel Node's own docs give
  execFileSync(NODE, [postject, output, 'NODE_SEA_BLOB', config.output, '--sentinel-fuse', fuse], { stdio: 'ignore' });
} finally {
  rmSync(work, { recursive: true, force: true });
}
