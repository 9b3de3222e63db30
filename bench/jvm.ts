// JVM rivals for `npm run bench:jvm`: a Flink MiniCluster's event-time windows and Spark Streaming's
// NetworkWordCount on local[2], each against sluice on the same data, medians and ratios beside issue 15's targets.
//
//   node bench/jvm.ts [--runs N] [--lines N] [windows] [wordcount]
//
// Both rivals are built from Maven Central by their poms in bench/jvm/ (Java 17 and Maven needed).
// windows: whole-process wall time over bench/data/access.log, outputs compared line for line.
// wordcount: a local server feeds the first --lines lines of access.log to one connection; the time
// runs from its accept until the sum of the counts of the batches reaches the number of words sent
// (Spark prints when it gets there; sluice's per-batch sum is read from its output).

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureData } from './generate.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SLUICE = path.join(ROOT, 'bin', 'sluice');
const JVM = path.join(ROOT, 'bench', 'jvm');
// Spark 3.5 on Java 17 needs these modules opened to it
const SPARK_OPENS = ['java.lang', 'java.lang.invoke', 'java.nio', 'java.util', 'sun.nio.ch', 'sun.util.calendar'].map((p) => `--add-opens=java.base/${p}=ALL-UNNAMED`);

const { values: opt, positionals } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, lines: { type: 'string', default: '1000000' } },
  allowPositionals: true,
});
const RUNS = Number(opt.runs);
const wanted = (name: string) => !positionals.length || positionals.includes(name);

/** Compile a rival and return its java classpath; undefined (said why) when Java or Maven is missing. */
function build(project: string): string | undefined {
  const dir = path.join(JVM, project);
  const r = spawnSync('mvn', ['-q', '-B', 'compile', 'dependency:build-classpath', '-Dmdep.outputFile=target/classpath.txt'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    console.log(`  ${project}: not built (${r.error ? 'mvn not found' : r.stdout.toString().trim().split('\n').slice(-3).join(' ')})`);
    return undefined;
  }
  return `${path.join(dir, 'target', 'classes')}:${fs.readFileSync(path.join(dir, 'target', 'classpath.txt'), 'utf8').trim()}`;
}

interface Run {
  seconds: number;
  cpu: number;
  rssMB: number;
}

/** Where GNU time writes what it measured of a run. */
const TIME_REPORT = path.join(ROOT, 'bench', 'data', 'jvm-time.txt');
/** `argv` under GNU time, which writes its wall, user and system seconds and peak RSS to TIME_REPORT. */
const underTime = (argv: string[]) => ['-o', TIME_REPORT, '-f', '%e %U %S %M', ...argv];

/** What GNU time wrote of the run that just ended. */
function timeReport(): Run {
  const [e, u, s, m] = fs.readFileSync(TIME_REPORT, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  return { seconds: e!, cpu: u! + s!, rssMB: m! / 1024 };
}

/** Run under GNU time; its wall, CPU and peak RSS, and its stdout. */
function timed(argv: string[]): Run & { stdout: string } {
  const r = spawnSync('/usr/bin/time', underTime(argv), { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${argv[0]} failed: ${r.stderr.toString().slice(-2000)}`);
  return { ...timeReport(), stdout: r.stdout.toString() };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function summary(name: string, runs: Run[]): Run {
  const m = { seconds: median(runs.map((r) => r.seconds)), cpu: median(runs.map((r) => r.cpu)), rssMB: median(runs.map((r) => r.rssMB)) };
  console.log(`  ${name.padEnd(28)} ${m.seconds.toFixed(2).padStart(7)} s   cpu ${m.cpu.toFixed(1).padStart(5)} s   rss ${m.rssMB.toFixed(0).padStart(5)} MB   (${runs.map((r) => r.seconds.toFixed(2)).join(', ')})`);
  return m;
}

function verdict(text: string, ratio: number, target: number, atMost: boolean): void {
  const met = atMost ? ratio <= target : ratio >= target;
  console.log(`  ${text}: ${ratio.toFixed(2)}x (target ${atMost ? '≤' : '≥'} ${target}x) ${met ? 'met' : 'NOT met'}`);
}

function windows(log: string): void {
  console.log('\nwindows: 10 s tumbling event-time counts per status, watermark 1 s');
  const cp = build('flink');
  if (!cp) return;
  const sluice = [SLUICE, '-b', '1s', '-i', log, '--parse', 'clf', '--window', '10s', '--event-time', 'x.time', '--watermark', '1s', '--map', 'x.status', '--count-by-value', '--with-time'];
  const flink = ['java', '-cp', cp, 'bench.Windows', log, '2'];
  const sorted = (text: string) => text.split('\n').filter(Boolean).sort().join('\n');
  const results = [sluice, flink].map((argv) => Array.from({ length: RUNS }, () => timed(argv)));
  if (sorted(results[0][0].stdout) !== sorted(results[1][0].stdout)) throw new Error('sluice and Flink give different window counts');
  const plain = Array.from({ length: RUNS }, () => timed(['mawk', '{ c[$9]++ } END { for (s in c) print s, c[s] }', log]));
  const [s, f, m] = [summary('sluice', results[0]), summary('Flink MiniCluster (p=2)', results[1]), summary("mawk's plain count", plain)];
  verdict('sluice / Flink', s.seconds / f.seconds, 0.25, true);
  verdict("sluice / mawk's plain count", s.seconds / m.seconds, 2, true);
}

/** Feed `text` to the one connection a rival makes; resolves with the time of its accept. */
function feeder(text: Buffer): { port: Promise<number>; accepted: Promise<number>; close: () => void } {
  let accepted!: (t: number) => void;
  const server = net.createServer((socket) => {
    server.close(); // one connection: a rival that reconnects after the end finds no one
    accepted(Date.now());
    socket.on('error', () => {});
    socket.end(text);
  });
  return {
    port: new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port))),
    accepted: new Promise((resolve) => (accepted = resolve)),
    close: () => server.close(),
  };
}

/** One word-count run: seconds from the feeder's accept to the moment the rival has counted every word. */
async function countRun(argv: (port: number) => string[], counted: (out: string, words: number) => number | undefined, text: Buffer, words: number): Promise<Run> {
  const feed = feeder(text);
  const child = spawn('/usr/bin/time', underTime(argv(await feed.port)), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const finished = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const at = counted(out, words);
      if (at !== undefined) resolve(at);
    });
    child.on('exit', (code) => reject(new Error(`${argv(0)[0]} ended (${code}) before counting every word: ${err.slice(-2000)}`)));
  });
  const start = await feed.accepted;
  feed.close();
  // sluice is stopped once it has counted all; Spark stops itself
  if (argv(0)[0] === SLUICE) spawnSync('pkill', ['-TERM', '-P', String(child.pid)]);
  await new Promise((resolve) => child.on('close', resolve));
  // the wall time is from the feed's accept, not the process's start
  return { ...timeReport(), seconds: (finished - start) / 1000 };
}

async function wordcount(log: string): Promise<void> {
  const lines = Number(opt.lines);
  console.log(`\nwordcount: Spark's NetworkWordCount over TCP, ${lines} lines of access.log, 1 s batches`);
  const cp = build('spark');
  if (!cp) return;
  const all = fs.readFileSync(log, 'latin1');
  let end = 0;
  for (let i = 0; i < lines && end >= 0; i++) end = all.indexOf('\n', end) + 1 || -1;
  const text = Buffer.from(end > 0 ? all.slice(0, end) : all, 'latin1');
  const words = text.toString('latin1').split('\n').slice(0, -1).reduce((n, line) => n + line.split(' ').length, 0);
  // sluice prints each batch's number of words counted (the word counts summed), Spark the time it has seen them all
  const sluice = (port: number) => [SLUICE, '-b', '1s', '-i', `tcp://127.0.0.1:${port}`, '--flat-map', 'x.split(" ")', '--map', '[x, 1]', '--reduce-by-key', 'a + b', '--map', 'x[1]', '--reduce', 'a + b'];
  const sluiceCounted = (out: string, n: number) => (out.split('\n').filter(Boolean).reduce((a, b) => a + Number(b), 0) >= n ? Date.now() : undefined);
  const spark = (port: number) => ['java', ...SPARK_OPENS, '-cp', cp, 'bench.NetworkWordCount', '127.0.0.1', String(port), String(words)];
  const sparkCounted = (out: string) => (out.trim() ? Number(out.trim()) : undefined);
  const runs: Run[][] = [[], []];
  for (let i = 0; i < RUNS; i++) {
    runs[0].push(await countRun(sluice, sluiceCounted, text, words));
    runs[1].push(await countRun(spark, sparkCounted, text, words));
  }
  const [s, k] = [summary('sluice', runs[0]), summary('Spark Streaming local[2]', runs[1])];
  console.log(`  throughput: sluice ${Math.round(lines / s.seconds / 1000)}k lines/s, Spark ${Math.round(lines / k.seconds / 1000)}k lines/s`);
  verdict('sluice / Spark throughput', k.seconds / s.seconds, 5, false);
}

const { access } = ensureData();
console.log(`bench:jvm on ${new Date().toISOString().slice(0, 10)}, ${RUNS} runs each (medians)`);
if (wanted('windows')) windows(access);
if (wanted('wordcount')) await wordcount(access);
