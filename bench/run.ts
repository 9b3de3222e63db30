// Benchmark harness for `npm run bench`: runs sluice and its rivals (mawk, gawk, jq, gojq, mlr, DuckDB,
// kcat) on the same generated data in one run and prints medians and each ratio beside its issue-15 target.
//
//   node bench/run.ts [--quick] [--runs N] [--list] [NAME...]
//
// NAME selects benchmarks whose name contains it (e.g. `node bench/run.ts ndjson`).
// Each benchmark first checks that every command prints the same result (sorted lines,
// or exact bytes for order-preserving chains), then times them with hyperfine
// (--warmup, --runs, --export-json) or measures peak RSS with GNU time.
// Raw results go to bench/data/results/ (gitignored).

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureData } from './generate.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SLUICE = path.join(ROOT, 'bin', 'sluice');
// The pinned Node 24 (system node may be older); used for `node -e 0` and put first on
// PATH so bin/sluice's `#!/usr/bin/env node` finds the same binary.
const NODE = fs.realpathSync(path.join(ROOT, 'node_modules', '.bin', 'node'));
const ENV = { ...process.env, PATH: `${path.join(ROOT, 'node_modules', '.bin')}:${process.env.PATH}` };
// One batch for the whole input, so sluice's output is directly comparable with a
// whole-file awk/jq/mlr aggregate.
const BATCH = ['-b', '1h'];
const HOUR = 3_600_000;

type Input = 'access' | 'events' | 'big' | 'oneLine';
// runs: fewer timed runs (and no warm-up) for a rival that takes many seconds a run (jq, gojq, mlr)
type Cmd = { name: string; argv: string[]; runs?: number };
type Bench = {
  name: string;
  what: string;
  kind: 'time' | 'rss';
  input?: Input; // fed on stdin while timing/measuring
  verifyInput?: Input; // fed on stdin for the output check (default: input)
  sluice: string[] | Record<string, string[]>; // arguments to bin/sluice; several spellings by name
  peers: Cmd[]; // the first peer that runs is the reference output
  // sorted: same multiset of lines (aggregates have no defined order);
  // exact: same bytes (stateless chains keep order); none: only exit status.
  compare: 'sorted' | 'exact' | 'none';
  runs?: (n: number) => number; // override the run count, e.g. many runs for short commands
  prepare?: () => string | undefined; // readies what it needs beyond the data files; else why it is skipped
  warmup?: number;
  // Goals of issue 15: the median of `sluice` (a spelling's name; the only one by default) at most
  // `ratio` times the peer's, or peak RSS under `maxMB`.
  targets?: { sluice?: string; peer?: string; ratio?: number; maxMB?: number; text: string }[];
};

// The Kafka benchmarks use the broker of `npm run kafka:up` when it is up: 1M messages of 100 bytes
// (99 and the newline kcat and sluice cut them at), produced once per run into a topic of their own.
const KAFKA = '127.0.0.1:9092';
const KAFKA_MESSAGES = path.join(ROOT, 'bench', 'data', 'kafka-1m.txt');
const KAFKA_TOPIC = `bench-consume-${Date.now()}`;
const KAFKA_OUT = `bench-produce-${Date.now()}`;
let kafkaReady: string | undefined | null = null;

function kafkaTopic(): string | undefined {
  if (kafkaReady !== null) return kafkaReady;
  if (spawnSync('bash', [path.join(ROOT, 'scripts', 'kafka.sh'), 'status']).status !== 0) return (kafkaReady = 'no Kafka broker on 127.0.0.1:9092 (npm run kafka:up)');
  if (!onPath('kcat')) return (kafkaReady = 'kcat is not installed');
  if (!fs.existsSync(KAFKA_MESSAGES)) {
    fs.mkdirSync(path.dirname(KAFKA_MESSAGES), { recursive: true });
    const line = (i: number) => `message ${i} `.padEnd(99, 'abcdefghijklmnopqrstuvwxyz'[i % 26]) + '\n';
    fs.writeFileSync(KAFKA_MESSAGES, Array.from({ length: 1_000_000 }, (_, i) => line(i)).join(''));
  }
  const r = spawnSync('kcat', ['-b', KAFKA, '-P', '-t', KAFKA_TOPIC, '-l', KAFKA_MESSAGES], { stdio: ['ignore', 'ignore', 'pipe'] });
  return (kafkaReady = r.status === 0 ? undefined : `kcat could not produce the messages: ${r.stderr}`);
}

// Benchmark definitions. Add new ones here; everything else is generic.
// Text output of sluice prints a pair as `key<TAB>value`, so peers print the same.
const AWK_COUNT_9 = ['{c[$9]++} END{for(k in c) print k"\\t"c[k]}'];
/** A rival that takes seconds a run: timed once, after the run that checks its output. */
const SLOW = 1;
const JQ_SUM = 'reduce inputs as $e ({}; .[$e.country] += $e.ms) | to_entries[] | "\\(.key)\\t\\(.value)"';
const STATELESS = [...BATCH, '--filter', 'x.length > 10', '--map', 'x.toUpperCase()'];
const STATELESS_AWK: Cmd = { name: 'mawk', argv: ['mawk', 'length($0) > 10 { print toupper($0) }'] };
const BENCHES: Bench[] = [
  {
    name: 'count-status',
    what: 'count by status (the 9th blank-separated field) of access.log, three ways to write it',
    kind: 'time',
    input: 'access',
    sluice: {
      'sluice split x[8]': [...BATCH, '--parse', 'split', '--map', 'x[8]', '--count-by-value'],
      'sluice x.split(" ")[8]': [...BATCH, '--map', 'x.split(" ")[8]', '--count-by-value'],
      'sluice clf x.status': [...BATCH, '--parse', 'clf', '--map', 'x.status', '--count-by-value'],
    },
    peers: [
      { name: 'mawk', argv: ['mawk', ...AWK_COUNT_9] },
      { name: 'gawk', argv: ['gawk', ...AWK_COUNT_9] },
      // NIDX format splits on (repeated) spaces and names fields 1..N, as awk does.
      { name: 'mlr', argv: ['mlr', '--inidx', '--ifs', ' ', '--onidx', '--ofs', 'tab', 'count', '-g', '9'], runs: SLOW },
    ],
    compare: 'sorted',
    targets: ['sluice split x[8]', 'sluice x.split(" ")[8]', 'sluice clf x.status'].map((sluice) => ({ sluice, peer: 'mawk', ratio: 1, text: 'at most 1.0x mawk' })),
  },
  {
    name: 'count-path',
    what: 'count by path of access.log (many distinct keys): --parse clf --map x.path',
    kind: 'time',
    input: 'access',
    sluice: [...BATCH, '--parse', 'clf', '--map', 'x.path', '--count-by-value'],
    peers: [{ name: 'mawk', argv: ['mawk', '{c[$7]++} END{for(k in c) print k"\\t"c[k]}'] }],
    compare: 'sorted',
    targets: [{ peer: 'mawk', ratio: 1, text: 'at most 1.0x mawk (as for the status)' }],
  },
  {
    name: 'ndjson-sum',
    what: 'NDJSON group-by-sum of ms by country (events.ndjson)',
    kind: 'time',
    input: 'events',
    sluice: [...BATCH, '--parse', 'json', '--map', '[x.country, x.ms]', '--reduce-by-key', 'a + b'],
    peers: [
      // the whole process: Node, DuckDB's start-up, read_json_auto's detection and the query
      { name: 'duckdb', argv: [NODE, path.join(ROOT, 'bench', 'duckdb.ts'), "SELECT country, sum(ms) FROM read_json_auto('/dev/stdin', format='newline_delimited') GROUP BY country"] },
      // to_entries turns jq's object into key<TAB>value lines; it runs once on ~30 keys.
      { name: 'jq', argv: ['jq', '-rn', JQ_SUM], runs: SLOW },
      { name: 'gojq', argv: ['gojq', '-rn', JQ_SUM], runs: SLOW },
      // --ijsonl reads one JSON object per line; --onidx with tab gives key<TAB>sum.
      { name: 'mlr', argv: ['mlr', '--ijsonl', '--onidx', '--ofs', 'tab', 'stats1', '-a', 'sum', '-f', 'ms', '-g', 'country'], runs: SLOW },
    ],
    compare: 'sorted',
    targets: [
      { peer: 'duckdb', ratio: 1, text: "at most 1.0x DuckDB's whole process" },
      { peer: 'jq', ratio: 0.1, text: 'at least 10x faster than jq' },
      { peer: 'gojq', ratio: 0.1, text: 'at least 10x faster than gojq' },
      { peer: 'mlr', ratio: 0.1, text: 'at least 10x faster than mlr' },
    ],
  },
  {
    name: 'stateless',
    what: 'stateless --filter --map chain over big.log to a pipe',
    kind: 'time',
    input: 'big',
    verifyInput: 'access', // same lines, a fraction of the volume: enough to check the output
    sluice: STATELESS,
    peers: [STATELESS_AWK],
    compare: 'exact',
    runs: (n) => Math.min(n, 3),
    targets: [{ peer: 'mawk', ratio: 1.5, text: 'at most 1.5x mawk' }],
  },
  {
    name: 'startup',
    what: 'start-up of a real run (one line into --count) against an empty Node program',
    kind: 'time',
    input: 'oneLine',
    sluice: ['--count'],
    peers: [{ name: 'node -e 0', argv: [NODE, '-e', '0'] }],
    compare: 'none',
    runs: (n) => Math.max(20, n * 4),
    warmup: 3,
    targets: [{ peer: 'node -e 0', ratio: 1.5, text: 'at most 1.5x node -e 0' }],
  },
  {
    name: 'startup-run',
    what: 'start-up of `sluice run` of a small pipeline file (one line through a filter and a map) against an empty Node program',
    kind: 'time',
    input: 'oneLine',
    sluice: ['run', path.join(ROOT, 'bench', 'startup.yaml')],
    peers: [{ name: 'node -e 0', argv: [NODE, '-e', '0'] }],
    compare: 'none',
    runs: (n) => Math.max(20, n * 4),
    warmup: 3,
    targets: [{ peer: 'node -e 0', ratio: 1.5, text: 'at most 1.5x node -e 0' }],
  },
  {
    name: 'rss',
    what: 'peak RSS streaming big.log through a stateless filter/map chain to /dev/null',
    kind: 'rss',
    input: 'big',
    verifyInput: 'access', // same lines, a fraction of the volume: enough to check the output
    sluice: STATELESS,
    // Reference only: what a streaming C tool needs for the same job.
    peers: [STATELESS_AWK],
    compare: 'exact',
    targets: [{ maxMB: 100, text: 'under 100 MB' }],
  },
  {
    name: 'kafka-consume',
    what: 'consume 1M 100-byte messages from a Kafka topic and count them',
    kind: 'time',
    prepare: kafkaTopic,
    sluice: [...BATCH, '-i', `kafka://${KAFKA}/${KAFKA_TOPIC}?from=earliest`, '--once', '--count'],
    // librdkafka: -e ends at the end of the topic, as --once does
    peers: [{ name: 'kcat', argv: ['sh', '-c', `kcat -b ${KAFKA} -C -t ${KAFKA_TOPIC} -o beginning -e -q | wc -l`] }],
    compare: 'sorted',
    targets: [{ peer: 'kcat', ratio: 2, text: "at least half of kcat's consume rate" }],
  },
  {
    name: 'kafka-produce',
    what: 'produce 1M 100-byte messages to a Kafka topic, idempotent, acks=all',
    kind: 'time',
    prepare: kafkaTopic,
    sluice: [...BATCH, '-i', KAFKA_MESSAGES, '-o', `kafka://${KAFKA}/${KAFKA_OUT}?create=true`],
    peers: [{ name: 'kcat', argv: ['kcat', '-b', KAFKA, '-P', '-t', KAFKA_OUT, '-X', 'acks=all', '-X', 'enable.idempotence=true', '-l', KAFKA_MESSAGES] }],
    compare: 'none',
    // every run adds 1M messages to the topic
    runs: (n) => Math.min(n, 3),
  },
];

// One row per command of a benchmark, for the summary table and summary.json.
// cpu: mean user + system seconds, which other work on a shared machine disturbs less than the wall time
type Row = { name: string; ok: boolean; note?: string; median?: number; mean?: number; stddev?: number; cpu?: number; rssMB?: number; seconds?: number };
type Result = { bench: string; rows: Row[]; mismatch: boolean; failed: boolean; sluiceMissing: boolean };

function usage(code: number): never {
  const out = code ? process.stderr : process.stdout;
  out.write(`usage: node bench/run.ts [--quick] [--runs N] [--list] [NAME...]
  --quick    small data (100k lines, ~100 MB big.log) and fewer runs
  --runs N   hyperfine runs per command (default 5, quick 3)
  --list     list the benchmarks and exit
  NAME       run only benchmarks whose name contains NAME
benchmarks: ${BENCHES.map((b) => b.name).join(', ')}
`);
  process.exit(code);
}

function parseArgs(argv: string[]) {
  const o = { quick: false, runs: 0, list: false, filters: [] as string[] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--list') o.list = true;
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '-h' || a === '--help') usage(0);
    else if (a.startsWith('-')) usage(2);
    else o.filters.push(a);
  }
  if (!Number.isInteger(o.runs) || o.runs < 0) usage(2);
  if (!o.runs) o.runs = o.quick ? 3 : 5; // jq/mlr take seconds per run on the full data
  return o;
}

// Quote for sh only where needed, so hyperfine's printed commands stay readable.
const q = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);
const shellLine = (argv: string[], stdin?: string) => argv.map(q).join(' ') + (stdin ? ` < ${q(stdin)}` : '');

function onPath(cmd: string): boolean {
  if (cmd.includes('/')) {
    try {
      fs.accessSync(cmd, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  }
  return (ENV.PATH ?? '').split(':').some((d) => {
    try {
      fs.accessSync(path.join(d, cmd), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function version(argv: string[]): string {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', env: ENV, timeout: 10_000 });
  if (r.error) return 'missing';
  const text = (r.stdout || r.stderr || '').trim().split('\n')[0];
  return r.status === 0 || text ? text : `exit ${r.status}`;
}

type Capture = { code: number | null; signal: string | null; lines?: string[]; hash: string; bytes: number; head: string; stderr: string; crossedHour: boolean };

// Run one command with stdin from a file and capture what the comparison needs:
// all lines for `sorted` (aggregates are small), a hash plus the first 64 KB for `exact`
// (stateless output is as large as the input).
function capture(argv: string[], stdinFile: string | undefined, keepLines: boolean): Promise<Capture> {
  return new Promise((resolve) => {
    const start = Date.now();
    const fd = stdinFile ? fs.openSync(stdinFile, 'r') : 'ignore';
    const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, env: ENV, stdio: [fd, 'pipe', 'pipe'], timeout: 600_000 });
    if (typeof fd === 'number') fs.closeSync(fd);
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let bytes = 0;
    let head = '';
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => {
      hash.update(b);
      bytes += b.length;
      if (keepLines) chunks.push(b);
      if (head.length < 65536) head += b.toString('latin1', 0, Math.min(b.length, 65536 - head.length));
    });
    child.stderr!.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-2000);
    });
    child.on('error', (e) => {
      stderr += String(e);
    });
    child.on('close', (code, signal) => {
      const text = keepLines ? Buffer.concat(chunks).toString('utf8') : '';
      const lines = keepLines ? text.split('\n').filter((l) => l !== '').sort() : undefined;
      const crossedHour = Math.floor(start / HOUR) !== Math.floor(Date.now() / HOUR);
      resolve({ code, signal, lines, hash: hash.digest('hex'), bytes, head, stderr: stderr.trim(), crossedHour });
    });
  });
}

// Human-readable difference between two outputs, a few lines from each side.
function describeMismatch(ref: Capture, got: Capture, refName: string, gotName: string): string {
  const out: string[] = [];
  if (ref.lines && got.lines) {
    const count = (ls: string[]) => ls.reduce((m, l) => m.set(l, (m.get(l) ?? 0) + 1), new Map<string, number>());
    const a = count(ref.lines);
    const b = count(got.lines);
    const only = (x: Map<string, number>, y: Map<string, number>) => [...x].filter(([l, n]) => (y.get(l) ?? 0) < n).map(([l]) => l);
    const missing = only(a, b);
    const extra = only(b, a);
    out.push(`    ${refName}: ${ref.lines.length} lines, ${gotName}: ${got.lines.length} lines (compared sorted)`);
    for (const l of missing.slice(0, 5)) out.push(`    - ${JSON.stringify(l)}   (only in ${refName})`);
    if (missing.length > 5) out.push(`    - ... ${missing.length - 5} more`);
    for (const l of extra.slice(0, 5)) out.push(`    + ${JSON.stringify(l)}   (only in ${gotName})`);
    if (extra.length > 5) out.push(`    + ... ${extra.length - 5} more`);
  } else {
    out.push(`    ${refName}: ${ref.bytes} bytes sha256 ${ref.hash.slice(0, 16)}; ${gotName}: ${got.bytes} bytes sha256 ${got.hash.slice(0, 16)}`);
    const a = ref.head.split('\n');
    const b = got.head.split('\n');
    const i = a.findIndex((l, j) => l !== b[j]);
    if (i >= 0 && i < Math.min(a.length, b.length) - 1) {
      out.push(`    first difference at line ${i + 1}:`);
      out.push(`    - ${JSON.stringify(a[i].slice(0, 200))}   (${refName})`);
      out.push(`    + ${JSON.stringify(b[i].slice(0, 200))}   (${gotName})`);
    }
  }
  return out.join('\n');
}

const isSluice = (c: Cmd) => c.argv[0] === SLUICE;

const same = (a: Capture, b: Capture) =>
  a.lines && b.lines ? a.lines.length === b.lines.length && a.lines.every((l, i) => l === b.lines![i]) : a.hash === b.hash;

function failure(c: Capture): string | undefined {
  if (c.code === 0) return undefined;
  const why = c.signal ? `killed by ${c.signal}` : `exit ${c.code}`;
  return `${why}${c.stderr ? ': ' + c.stderr.split('\n').slice(-3).join(' | ') : ''}`;
}

async function runBench(b: Bench, data: Record<Input, string>, runs: number, resultsDir: string): Promise<Result> {
  const fileOf = (i?: Input) => (i ? data[i] : undefined);
  const res: Result = { bench: b.name, rows: [], mismatch: false, failed: false, sluiceMissing: false };
  console.log(`\n=== ${b.name}: ${b.what}`);
  const skip = b.prepare?.();
  if (skip) {
    console.log(`  skipped: ${skip}`);
    res.rows.push({ name: 'sluice', ok: false, note: `skipped: ${skip}` });
    return res;
  }

  // Commands that can run at all; missing tools are reported, not fatal.
  const cmds: Cmd[] = [];
  const hasSluice = onPath(SLUICE);
  if (hasSluice) cmds.push(...Object.entries(Array.isArray(b.sluice) ? { sluice: b.sluice } : b.sluice).map(([name, args]) => ({ name, argv: [SLUICE, ...args] })));
  else {
    res.sluiceMissing = true;
    res.rows.push({ name: 'sluice', ok: false, note: 'missing (bin/sluice not found)' });
    console.log('  sluice: missing (bin/sluice not found); running the peers only');
  }
  for (const p of b.peers) {
    if (onPath(p.argv[0])) cmds.push(p);
    else {
      res.rows.push({ name: p.name, ok: false, note: `missing (${p.argv[0]} not installed)` });
      console.log(`  ${p.name}: missing (${p.argv[0]} not installed)`);
    }
  }

  // Output check before timing: a fast wrong answer is not a result.
  const verifyFile = fileOf(b.verifyInput ?? b.input);
  const runnable: Cmd[] = [];
  const notes = new Map<string, string>();
  let ref: { name: string; cap: Capture } | undefined;
  // Peers first, so the reference is a peer and sluice is judged against it.
  const order = [...cmds.filter((c) => !isSluice(c)), ...cmds.filter(isSluice)];
  for (const c of order) {
    let cap = await capture(c.argv, verifyFile, b.compare === 'sorted');
    const err = failure(cap);
    if (err) {
      console.log(`  ${c.name}: FAILED (${err})`);
      res.rows.push({ name: c.name, ok: false, note: `failed: ${err}` });
      res.failed = true;
      continue;
    }
    if (b.compare !== 'none' && ref && !same(ref.cap, cap) && isSluice(c) && cap.crossedHour) {
      // The run straddled an hour, so sluice legitimately cut two 1h batches: retry once.
      cap = await capture(c.argv, verifyFile, b.compare === 'sorted');
    }
    runnable.push(c);
    // Warnings on stderr (e.g. Node's MaxListenersExceededWarning) hint at engine bugs.
    if (isSluice(c) && cap.stderr) console.log(`  ${c.name} wrote to stderr: ${cap.stderr.split('\n')[0].slice(0, 200)}`);
    if (b.compare === 'none') continue;
    if (!ref) {
      ref = { name: c.name, cap };
      console.log(`  ${c.name}: reference output (${cap.lines ? cap.lines.length + ' lines' : cap.bytes + ' bytes'})`);
    } else if (same(ref.cap, cap)) {
      console.log(`  ${c.name}: output matches ${ref.name}`);
    } else {
      res.mismatch = true;
      notes.set(c.name, `MISMATCH vs ${ref.name}`);
      console.log(`  ${c.name}: MISMATCH vs ${ref.name}\n${describeMismatch(ref.cap, cap, ref.name, c.name)}`);
    }
  }
  // Table order: sluice first, then peers in definition order.
  runnable.sort((x, y) => cmds.indexOf(x) - cmds.indexOf(y));
  if (runnable.length === 0) return res;

  const stdin = fileOf(b.input);
  if (b.kind === 'time') {
    // one hyperfine call per run count, so that a rival taking seconds a run is timed fewer times
    const runsOf = (c: Cmd) => c.runs ?? (b.runs ? b.runs(runs) : runs);
    for (const n of new Set(runnable.map(runsOf))) {
      const group = runnable.filter((c) => runsOf(c) === n);
      const json = path.join(resultsDir, `${b.name}-${n}.json`);
      const args = ['--warmup', String(group.some((c) => c.runs) ? 0 : (b.warmup ?? 1)), '--runs', String(n), '--export-json', json,
        // A pipe, not /dev/null: that is how sluice is used, and some tools special-case /dev/null.
        '--output', 'pipe', '--style', 'basic'];
      for (const c of group) args.push('-n', c.name, shellLine(c.argv, stdin));
      const h = spawnSync('hyperfine', args, { cwd: ROOT, env: ENV, stdio: ['ignore', 'inherit', 'inherit'] });
      if (h.status !== 0) {
        console.log(`  hyperfine failed (${h.error ?? 'exit ' + h.status})`);
        res.failed = true;
        for (const c of group) res.rows.push({ name: c.name, ok: false, note: 'hyperfine failed' });
        continue;
      }
      const out = JSON.parse(fs.readFileSync(json, 'utf8')) as { results: { command: string; median: number; mean: number; stddev: number; user: number; system: number }[] };
      for (const c of group) {
        const r = out.results.find((x) => x.command === c.name);
        res.rows.push({ name: c.name, ok: true, note: notes.get(c.name), median: r?.median, mean: r?.mean, stddev: r?.stddev, cpu: r && r.user + r.system });
      }
    }
    res.rows.sort((x, y) => cmds.findIndex((c) => c.name === x.name) - cmds.findIndex((c) => c.name === y.name));
  } else {
    // Peak RSS via GNU time's %M (KiB; max over the process and its waited-for children).
    for (const c of runnable) {
      const tmp = path.join(resultsDir, `${b.name}.time`);
      const fd = fs.openSync(stdin!, 'r');
      const r = spawnSync('/usr/bin/time', ['-f', '%M %e', '-o', tmp, ...c.argv], { cwd: ROOT, env: ENV, stdio: [fd, 'ignore', 'pipe'] });
      fs.closeSync(fd);
      if (r.error || r.status !== 0) {
        const why = r.error ? String(r.error) : `exit ${r.status}: ${r.stderr.toString().trim().split('\n').slice(-2).join(' | ')}`;
        console.log(`  ${c.name}: FAILED (${why})`);
        res.rows.push({ name: c.name, ok: false, note: `failed: ${why}` });
        res.failed = true;
        continue;
      }
      const [kb, secs] = fs.readFileSync(tmp, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      res.rows.push({ name: c.name, ok: true, note: notes.get(c.name), rssMB: kb / 1024, seconds: secs });
      console.log(`  ${c.name}: peak RSS ${(kb / 1024).toFixed(1)} MiB, ${secs.toFixed(2)} s`);
    }
  }
  return res;
}

const fmtS = (s?: number) => (s === undefined ? '-' : s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(3)} s`);

function printSummary(results: Result[]): void {
  console.log('\n=== summary (medians; ratio = sluice time / peer time, < 1 means sluice is faster; cpu = user + system, mean)');
  for (const res of results) {
    const b = BENCHES.find((x) => x.name === res.bench)!;
    console.log(`\n${b.name}  (${b.what})`);
    const sluiceNames = Array.isArray(b.sluice) ? ['sluice'] : Object.keys(b.sluice);
    const sluiceRow = (name = sluiceNames[0]) => res.rows.find((r) => r.name === name && r.ok);
    const first = sluiceRow();
    const w = Math.max(10, ...res.rows.map((r) => r.name.length));
    for (const r of res.rows) {
      let line = `  ${r.name.padEnd(w)}  `;
      if (!r.ok) line += r.note;
      else if (b.kind === 'time') {
        line += `${fmtS(r.median).padStart(10)}  ± ${fmtS(r.stddev).padEnd(9)}  cpu ${fmtS(r.cpu).padStart(9)}`;
        if (first?.median && !sluiceNames.includes(r.name) && r.median) line += `  ${first.name}/${r.name} = ${(first.median / r.median).toFixed(2)}x`;
        if (r.note) line += `  ${r.note}`;
      } else {
        line += `peak RSS ${r.rssMB!.toFixed(1).padStart(7)} MiB  ${r.seconds!.toFixed(2)} s${r.note ? '  ' + r.note : ''}`;
      }
      console.log(line);
    }
    for (const t of b.targets ?? []) {
      const sl = sluiceRow(t.sluice);
      let verdict = 'n/a (sluice or the peer did not run)';
      const peer = res.rows.find((r) => r.name === t.peer && r.ok);
      if (sl && t.maxMB !== undefined && sl.rssMB !== undefined) {
        verdict = `${sl.rssMB.toFixed(1)} MiB ${sl.rssMB < t.maxMB ? 'MET' : 'NOT MET'}`;
      } else if (sl?.median && peer?.median && t.ratio !== undefined) {
        const ratio = sl.median / peer.median;
        const cpu = sl.cpu && peer.cpu ? ` (cpu ${(sl.cpu / peer.cpu).toFixed(2)}x)` : '';
        verdict = `${sl.name}/${peer.name} = ${ratio.toFixed(2)}x ${ratio <= t.ratio ? 'MET' : 'NOT MET'}${cpu}`;
      }
      if (sl?.note) verdict += ` (but ${sl.note})`;
      console.log(`  target (issue 15): ${t.text} -> ${verdict}`);
    }
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const selected = opts.filters.length ? BENCHES.filter((b) => opts.filters.some((f) => b.name.includes(f))) : BENCHES;
  if (opts.list) {
    for (const b of BENCHES) console.log(`${b.name.padEnd(14)} ${b.what}`);
    return;
  }
  if (selected.length === 0) {
    console.error(`no benchmark matches ${opts.filters.join(', ')}; have: ${BENCHES.map((b) => b.name).join(', ')}`);
    process.exit(2);
  }
  if (!onPath('hyperfine') && selected.some((b) => b.kind === 'time')) {
    console.error('hyperfine is not installed (Debian: apt-get install -y hyperfine)');
    process.exit(1);
  }
  if (!onPath('/usr/bin/time') && selected.some((b) => b.kind === 'rss')) {
    console.error('GNU time is not installed (Debian: apt-get install -y time)');
    process.exit(1);
  }

  const cpu = os.cpus()[0]?.model ?? 'unknown';
  console.log(`machine: ${os.availableParallelism()} CPUs (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()} ${os.arch()}`);
  const tools: [string, string[]][] = [
    ['sluice', [SLUICE, '--version']], ['node', [NODE, '--version']], ['hyperfine', ['hyperfine', '--version']],
    ['mawk', ['mawk', '-W', 'version']], ['gawk', ['gawk', '--version']], ['mlr', ['mlr', '--version']], ['jq', ['jq', '--version']],
    ['gojq', ['gojq', '--version']], ['duckdb', [NODE, '-e', "console.log(require('@duckdb/node-api/package.json').version)"]],
  ];
  for (const [name, argv] of tools) console.log(`  ${name.padEnd(9)} ${onPath(argv[0]) ? version(argv) : 'missing'}`);

  const t0 = performance.now();
  const data = ensureData({ quick: opts.quick, big: selected.some((b) => b.input === 'big'), log: (m) => console.log(m) });
  const mb = (f: string) => (fs.existsSync(f) ? `${(fs.statSync(f).size / 1e6).toFixed(0)} MB` : '-');
  console.log(`data (${((performance.now() - t0) / 1000).toFixed(1)} s): access.log ${data.accessLines} lines ${mb(data.access)}, ` +
    `events.ndjson ${data.eventLines} lines ${mb(data.events)}` +
    (data.bigCopies ? `, big.log ${data.accessLines * data.bigCopies} lines ${mb(data.big)}` : ''));

  const resultsDir = path.join(data.dir, 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const oneLine = path.join(data.dir, 'one-line.txt');
  fs.writeFileSync(oneLine, 'x\n');
  const results: Result[] = [];
  for (const b of selected) results.push(await runBench(b, { ...data, oneLine }, opts.runs, resultsDir));
  printSummary(results);
  fs.writeFileSync(path.join(resultsDir, 'summary.json'), JSON.stringify({ date: new Date().toISOString(), cpu, quick: opts.quick, results }, null, 2) + '\n');

  const bad = results.filter((r) => r.mismatch || r.failed);
  if (results.some((r) => r.sluiceMissing)) console.log('\nnote: bin/sluice is missing; only the peers were measured');
  if (bad.length) {
    console.log(`\nFAILED: ${bad.map((r) => `${r.bench} (${r.mismatch ? 'output mismatch' : 'command failed'})`).join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
