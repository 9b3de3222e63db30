// npm run build:binary (after npm run build): dist/sluice, or the path given, one executable for
// this platform made with Node's own single-executable-application support from the pinned Node: a
// small main script (src/cli/binary.ts), and as its assets the program as one CommonJS function with
// V8's code cache of a run of it, each client library it imports on demand as a function of its own,
// the --repartition worker, and the --ui page and zeromq's addon of dist/.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { DIST, NODE, program, root, UI } from './bundle.ts';

const output = resolve(process.argv[2] ?? `${DIST}/sluice`);
const work = mkdtempSync(join(tmpdir(), 'sluice-binary-'));
/** The client libraries the program imports only when a run uses them (import() of a package): left out of the program, each a bundle of its own. */
const libraries = new Set<string>();
const lazyLibraries: Plugin = {
  name: 'lazy-libraries',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind !== 'dynamic-import' || isBuiltin(args.path)) return undefined;
      libraries.add(args.path);
      return { path: args.path, external: true };
    });
  },
};
const options: BuildOptions = {
  ...program,
  format: 'cjs', // what Node 24 runs as a single executable's main script, and what vm.Script runs
  supported: { 'dynamic-import': false }, // import() as require(): vm.Script has no module loader (src/cli/binary.ts's require)
  target: 'node24',
  outdir: work,
  minifyWhitespace: true,
  minifySyntax: true,
  // what the ES modules in the bundle expect (createRequire(import.meta.url) of the Kafka client)
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "var __importMetaUrl=require('node:url').pathToFileURL(__filename).href;" },
};
/** A bundle of the work directory as the function src/cli/binary.ts calls with a module scope. */
const asFunction = (name: string) =>
  writeFileSync(`${work}/${name}`, `(function (exports, require, module, __filename, __dirname) {${readFileSync(`${work}/${name}`, 'latin1')}\n})`);
try {
  await build({
    ...options,
    plugins: [...program.plugins!, lazyLibraries],
    entryPoints: { ...(program.entryPoints as Record<string, string>), main: root('src/cli/binary.ts') },
  });
  await build({ ...options, entryPoints: Object.fromEntries([...libraries].map((name) => [`lib/${name}`, name])) });
  for (const name of ['sluice.js', ...[...libraries].map((name) => `lib/${name}.js`)]) asFunction(name);
  const config = {
    main: `${work}/main.js`,
    output: `${work}/sea-prep.blob`,
    disableExperimentalSEAWarning: true,
    // as bin/sluice runs the CLI: a small young generation keeps a long stateless stream in little memory
    execArgv: ['--max-semi-space-size=4'],
    // named as the files are in the work directory, those of dist/ as they are there
    assets: {
      'sluice.js': `${work}/sluice.js`,
      'sluice.cache': `${work}/sluice.cache`,
      ...Object.fromEntries([...libraries].map((name) => [`lib/${name}.js`, `${work}/lib/${name}.js`])),
      'repartition-worker.js': `${work}/repartition-worker.js`,
      'zeromq.node': `${DIST}/zeromq.node`,
      ...Object.fromEntries(UI.map((file) => [`ui/${file}`, `${DIST}/ui/${file}`])),
    },
  };
  // the main script run by the same Node with the same flags writes sluice.cache: a run as short as a run can be
  execFileSync(NODE, [...config.execArgv, config.main, '--count'], { input: 'x\n', stdio: ['pipe', 'ignore', 'inherit'] });
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
