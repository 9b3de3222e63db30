// npm run build:binary (after npm run build): dist/sluice, or the path given, one executable for
// this platform made with Node's own single-executable-application support from the pinned Node:
// the program as one CommonJS script with V8's code cache, and the --repartition worker, the --ui
// page and zeromq's addon of dist/ as its assets.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { DIST, NODE, program, root, UI } from './bundle.ts';

const output = resolve(process.argv[2] ?? `${DIST}/sluice`);
const work = mkdtempSync(join(tmpdir(), 'sluice-binary-'));
try {
  await build({
    ...program,
    entryPoints: { ...(program.entryPoints as Record<string, string>), sluice: root('src/cli/binary.ts') },
    format: 'cjs', // what Node 24 runs as a single executable's main script
    target: 'node24',
    outdir: work,
    minifyWhitespace: true,
    minifySyntax: true,
    // what the ES modules in the bundle expect (createRequire(import.meta.url) of the Kafka client)
    define: { 'import.meta.url': '__importMetaUrl' },
    banner: { js: "var __importMetaUrl=require('node:url').pathToFileURL(__filename).href;" },
  });
  const config = {
    main: `${work}/sluice.js`,
    output: `${work}/sea-prep.blob`,
    disableExperimentalSEAWarning: true,
    useCodeCache: true,
    // as bin/sluice runs the CLI: a small young generation keeps a long stateless stream in little memory
    execArgv: ['--max-semi-space-size=4'],
    // named as the files are in dist/
    assets: {
      'repartition-worker.js': `${work}/repartition-worker.js`,
      'zeromq.node': `${DIST}/zeromq.node`,
      ...Object.fromEntries(UI.map((file) => [`ui/${file}`, `${DIST}/ui/${file}`])),
    },
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
