// Deterministic, seeded generator of the benchmark inputs (access.log, events.ndjson, big.log) in bench/data/.
//
//   node bench/generate.ts [--quick] [--big] [--force] [--seed N]
//
// Files are byte-identical for a given seed and size: the only randomness is our own
// PRNG (no Math.random, no dates from the clock, no locale formatting), so benchmark
// results from different runs and machines are comparable.

import * as fs from 'node:fs';
import * as path from 'node:path';

// Bump when the generated content changes, so stale files are rebuilt.
const GENERATOR_VERSION = 1;
const DEFAULT_SEED = 20251101;
const DATA_DIR = path.join(import.meta.dirname, 'data');

export type DataOptions = {
  quick?: boolean; // smaller files in bench/data/quick/ for a fast smoke run
  big?: boolean; // also build big.log (~1 GB; ~100 MB with quick) for the RSS benchmark
  force?: boolean; // regenerate even when the stamp says the files are current
  seed?: number;
  log?: (msg: string) => void;
};

export type DataFiles = {
  dir: string;
  access: string;
  events: string;
  big: string;
  accessLines: number;
  eventLines: number;
  bigCopies: number;
};

type Stamp = Record<string, { params: string; bytes: number }>;

// mulberry32: tiny, fast, good enough for synthetic data, and fully specified here
// so the output never depends on the Node version.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Weighted choice by binary search over cumulative weights (O(log n), no allocation).
function weighted<T>(items: readonly T[], weights: readonly number[], rnd: () => number): () => T {
  const cum = new Float64Array(items.length);
  let sum = 0;
  for (let i = 0; i < items.length; i++) cum[i] = sum += weights[i];
  return () => {
    const r = rnd() * sum;
    let lo = 0;
    let hi = items.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid] > r) hi = mid;
      else lo = mid + 1;
    }
    return items[lo];
  };
}

// Zipf-like weights: a few items take most of the traffic, as with real hosts and URLs.
function zipf(n: number, s: number): number[] {
  const w: number[] = [];
  for (let i = 0; i < n; i++) w.push(1 / Math.pow(i + 1, s));
  return w;
}

function pairs<T>(table: readonly (readonly [T, number])[], rnd: () => number): () => T {
  return weighted(
    table.map((p) => p[0]),
    table.map((p) => p[1]),
    rnd,
  );
}

const int = (rnd: () => number, lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
const pad2 = (n: number) => (n < 10 ? '0' + n : '' + n);

// Buffered writer: big string chunks and one write syscall per few MB, so
// generation is limited by string building, not I/O.
class ChunkWriter {
  fd: number;
  parts: string[] = [];
  size = 0;
  bytes = 0;
  constructor(file: string) {
    this.fd = fs.openSync(file, 'w');
  }
  line(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= 4 << 20) this.flush();
  }
  flush(): void {
    if (this.parts.length === 0) return;
    const buf = Buffer.from(this.parts.join(''), 'latin1'); // content is ASCII only
    fs.writeSync(this.fd, buf);
    this.bytes += buf.length;
    this.parts = [];
    this.size = 0;
  }
  close(): number {
    this.flush();
    fs.closeSync(this.fd);
    return this.bytes;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const START_MS = Date.UTC(2025, 10, 1, 0, 0, 0); // fixed epoch: no wall clock in the data

const AGENTS: [string, number][] = [
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 30],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 12],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1', 14],
  ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36', 10],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0', 6],
  ['Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0', 2],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15', 6],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0', 5],
  ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 4],
  ['Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', 2],
  ['Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)', 1],
  ['Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)', 1],
  ['curl/8.5.0', 1.5],
  ['python-requests/2.32.3', 1.5],
  ['Go-http-client/1.1', 1],
  ['Wget/1.21.4', 0.5],
  ['okhttp/4.12.0', 1],
  ['Prometheus/2.53.0', 0.5],
  ['-', 0.5],
];

const COUNTRIES: [string, number][] = [
  ['US', 30], ['DE', 9], ['GB', 8], ['IN', 8], ['FR', 6], ['BR', 5], ['JP', 5], ['CA', 4],
  ['NL', 3], ['ES', 3], ['IT', 3], ['PL', 2], ['SE', 2], ['AU', 2], ['KR', 2], ['MX', 2],
  ['CN', 2], ['RU', 1.5], ['TR', 1.5], ['ID', 1], ['CH', 1], ['AT', 1], ['BE', 1], ['NG', 0.5],
  ['ZA', 0.5], ['AR', 0.5], ['UA', 0.5], ['VN', 0.5], ['EG', 0.3], ['NZ', 0.3],
];

type PathKind = 'page' | 'static' | 'api' | 'probe';
type Path = { url: string; kind: PathKind };

// A site's URL space: pages, static assets, an API and the usual scanner probes;
// each kind gets its own status/method/size mix below.
function buildPaths(rnd: () => number): Path[] {
  const out: Path[] = [];
  const hex = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[int(rnd, 0, 15)];
    return s;
  };
  const words = ['spark', 'stream', 'batch', 'window', 'kafka', 'unix', 'pipes', 'awk', 'latency', 'scaling',
    'checkpoint', 'state', 'join', 'reduce', 'logs', 'metrics', 'release', 'notes', 'guide', 'intro'];
  const slug = () => `${words[int(rnd, 0, words.length - 1)]}-${words[int(rnd, 0, words.length - 1)]}-${int(rnd, 1, 99)}`;
  for (const u of ['/', '/index.html', '/about', '/pricing', '/contact', '/login', '/signup', '/search?q=stream', '/docs/'])
    out.push({ url: u, kind: 'page' });
  for (const u of ['/favicon.ico', '/robots.txt', '/sitemap.xml', '/apple-touch-icon.png'])
    out.push({ url: u, kind: 'static' });
  const bundle = hex(8);
  for (const u of [`/static/js/app.${bundle}.js`, `/static/js/vendor.${hex(8)}.js`, `/static/css/main.${hex(8)}.css`,
    '/static/fonts/inter-var.woff2', '/static/img/logo.svg'])
    out.push({ url: u, kind: 'static' });
  for (let i = 0; i < 400; i++) out.push({ url: `/blog/${2019 + (i % 7)}/${slug()}`, kind: 'page' });
  for (let i = 0; i < 600; i++) out.push({ url: `/products/${int(rnd, 1000, 99999)}`, kind: 'page' });
  for (let i = 0; i < 300; i++) out.push({ url: `/images/${hex(12)}.${rnd() < 0.7 ? 'jpg' : 'png'}`, kind: 'static' });
  for (let i = 0; i < 200; i++) out.push({ url: `/docs/${slug()}.html`, kind: 'page' });
  for (let i = 0; i < 500; i++) {
    const r = rnd();
    const u = r < 0.4 ? `/api/v1/users/${int(rnd, 1, 50000)}`
      : r < 0.7 ? `/api/v1/orders?page=${int(rnd, 1, 40)}&limit=50`
      : r < 0.9 ? `/api/v1/items/${int(rnd, 1, 9999)}`
      : '/api/v1/events';
    out.push({ url: u, kind: 'api' });
  }
  for (const u of ['/wp-login.php', '/wp-admin/', '/.env', '/xmlrpc.php', '/phpmyadmin/', '/.git/config',
    '/admin.php', '/cgi-bin/luci', '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php', '/boaform/admin/formLogin'])
    out.push({ url: u, kind: 'probe' });
  // Shuffle (Fisher-Yates) so the Zipf head is a mix of kinds, as on a real site.
  for (let i = out.length - 1; i > 0; i--) {
    const j = int(rnd, 0, i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function genAccess(file: string, lines: number, seed: number): number {
  const rnd = mulberry32(seed);
  const hostList: string[] = [];
  for (let i = 0; i < 400; i++) {
    // A few IPv6 clients for realism; they contain no spaces, so field positions hold.
    hostList.push(rnd() < 0.05
      ? `2001:db8:${int(rnd, 0, 0xffff).toString(16)}::${int(rnd, 1, 0xffff).toString(16)}`
      : `${int(rnd, 1, 223)}.${int(rnd, 0, 255)}.${int(rnd, 0, 255)}.${int(rnd, 1, 254)}`);
  }
  const host = weighted(hostList, zipf(hostList.length, 1.05), rnd);
  const paths = buildPaths(rnd);
  const pathOf = weighted(paths, zipf(paths.length, 1.1), rnd);
  // Internal referers are pages linking to what was requested, never API or probe URLs.
  const pages = paths.filter((p) => p.kind === 'page');
  const refPage = weighted(pages, zipf(pages.length, 1.1), rnd);
  const agent = pairs(AGENTS, rnd);
  const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'];
  const statusBy: Record<PathKind, () => number> = {
    page: pairs([[200, 86], [304, 4], [301, 3], [302, 2], [404, 3], [500, 0.6], [503, 0.4], [403, 0.5], [499, 0.5]], rnd),
    static: pairs([[200, 72], [304, 22], [206, 2], [404, 3], [403, 0.5], [500, 0.2], [502, 0.3]], rnd),
    api: pairs([[200, 78], [201, 5], [204, 3], [400, 4], [401, 3], [403, 1], [404, 2], [429, 1], [500, 1.5], [502, 1], [503, 0.5], [504, 0.3]], rnd),
    probe: pairs([[404, 85], [403, 10], [301, 3], [400, 2]], rnd),
  };
  const apiMethod = pairs([['GET', 70], ['POST', 20], ['PUT', 5], ['DELETE', 4], ['PATCH', 1]], rnd);
  const sizeBy: Record<PathKind, [number, number]> = { page: [4000, 90000], static: [300, 400000], api: [80, 6000], probe: [150, 600] };
  const externalRefs = ['https://www.google.com/', 'https://www.bing.com/', 'https://duckduckgo.com/',
    'https://news.ycombinator.com/', 'https://www.reddit.com/r/programming/', 'https://t.co/xYz12AbC', 'android-app://com.google.android.gm/'];

  const w = new ChunkWriter(file);
  let ms = START_MS;
  let sec = -1;
  let stamp = '';
  for (let n = 0; n < lines; n++) {
    ms += Math.floor(rnd() * rnd() * 340); // ~85 ms mean gap: 1M lines span about a day
    const s = Math.floor(ms / 1000);
    if (s !== sec) {
      // Format the timestamp only when the second changes (most lines share it).
      sec = s;
      const d = new Date(s * 1000);
      stamp = `[${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
        `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000]`;
    }
    const p = pathOf();
    const status = statusBy[p.kind]();
    const method = p.kind === 'api' ? apiMethod() : rnd() < 0.02 ? 'HEAD' : 'GET';
    const proto = rnd() < 0.25 ? 'HTTP/2.0' : 'HTTP/1.1';
    const [lo, hi] = sizeBy[p.kind];
    // Apache's %b prints "-" for an empty body; redirects and errors are small.
    const bytes = status === 304 || status === 204 || method === 'HEAD' ? '-'
      : status >= 300 ? String(int(rnd, 150, 1200))
      : String(lo + Math.floor(rnd() * rnd() * (hi - lo)));
    const r = rnd();
    const referer = r < 0.45 ? '-' : r < 0.85 ? 'https://www.example.com' + refPage().url : externalRefs[int(rnd, 0, externalRefs.length - 1)];
    const user = rnd() < 0.03 ? users[int(rnd, 0, users.length - 1)] : '-';
    w.line(`${host()} - ${user} ${stamp} "${method} ${p.url} ${proto}" ${status} ${bytes} "${referer}" "${agent()}"\n`);
  }
  return w.close();
}

function genEvents(file: string, lines: number, seed: number): number {
  const rnd = mulberry32(seed ^ 0x5eed);
  const user = weighted(Array.from({ length: 20000 }, (_, i) => 'u' + (i + 1)), zipf(20000, 0.9), rnd);
  const page = weighted(Array.from({ length: 2000 }, (_, i) => '/p/' + (i + 1)), zipf(2000, 1.0), rnd);
  const country = pairs(COUNTRIES, rnd);
  const w = new ChunkWriter(file);
  let ts = START_MS;
  for (let n = 0; n < lines; n++) {
    ts += Math.floor(rnd() * 170);
    // Products of uniforms give a right-skewed latency with a long tail, using only
    // exact float arithmetic (no exp/log), so every platform produces the same bytes.
    const ms = 3 + Math.floor(2500 * rnd() * rnd() * rnd());
    const bytes = 200 + Math.floor(250000 * rnd() * rnd());
    w.line(`{"ts":${ts},"user":"${user()}","page":"${page()}","ms":${ms},"bytes":${bytes},"country":"${country()}"}\n`);
  }
  return w.close();
}

// big.log is access.log repeated: the RSS benchmark needs volume, not variety, and
// copying is far faster than generating 1 GB of fresh lines.
function genBig(file: string, source: string, copies: number): number {
  const buf = fs.readFileSync(source);
  const fd = fs.openSync(file, 'w');
  for (let i = 0; i < copies; i++) fs.writeSync(fd, buf);
  fs.closeSync(fd);
  return buf.length * copies;
}

export function ensureData(opts: DataOptions = {}): DataFiles {
  const log = opts.log ?? ((m: string) => process.stderr.write(m + '\n'));
  const seed = opts.seed ?? DEFAULT_SEED;
  const dir = opts.quick ? path.join(DATA_DIR, 'quick') : DATA_DIR;
  const accessLines = opts.quick ? 100_000 : 2_000_000; // the 2M lines of issue 15's targets
  const eventLines = opts.quick ? 100_000 : 1_000_000;
  // ~1 GB full (2 copies of ~450 MB); ~100 MB quick. Whole copies keep lines intact.
  const bigTarget = opts.quick ? 100e6 : 1e9;
  fs.mkdirSync(dir, { recursive: true });
  const files: DataFiles = {
    dir, accessLines, eventLines, bigCopies: 0,
    access: path.join(dir, 'access.log'),
    events: path.join(dir, 'events.ndjson'),
    big: path.join(dir, 'big.log'),
  };

  const stampFile = path.join(dir, 'stamp.json');
  let stamp: Stamp = {};
  try {
    stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
  } catch {
    // no stamp yet: everything is built
  }
  // A file is current when its stamp has the same parameters and its size on disk
  // matches what we wrote (catches truncated or hand-edited files cheaply).
  const current = (file: string, params: string) => {
    const st = stamp[path.basename(file)];
    if (opts.force || !st || st.params !== params) return false;
    try {
      return fs.statSync(file).size === st.bytes;
    } catch {
      return false;
    }
  };
  const build = (file: string, params: string, make: (tmp: string) => number) => {
    if (current(file, params)) return false;
    const t0 = performance.now();
    const tmp = file + '.tmp';
    const bytes = make(tmp);
    fs.renameSync(tmp, file); // atomic: an interrupted run never leaves a plausible half file
    stamp[path.basename(file)] = { params, bytes };
    fs.writeFileSync(stampFile, JSON.stringify(stamp, null, 2) + '\n');
    log(`generated ${path.relative(process.cwd(), file)}: ${(bytes / 1e6).toFixed(1)} MB in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    return true;
  };

  const accessParams = `v${GENERATOR_VERSION} seed=${seed} lines=${accessLines}`;
  const rebuiltAccess = build(files.access, accessParams, (tmp) => genAccess(tmp, accessLines, seed));
  build(files.events, `v${GENERATOR_VERSION} seed=${seed} lines=${eventLines}`, (tmp) => genEvents(tmp, eventLines, seed));
  if (opts.big) {
    const size = fs.statSync(files.access).size;
    files.bigCopies = Math.max(1, Math.round(bigTarget / size));
    const bigParams = `${accessParams} copies=${files.bigCopies}`;
    if (rebuiltAccess) delete stamp['big.log'];
    build(files.big, bigParams, (tmp) => genBig(tmp, files.access, files.bigCopies));
  }
  return files;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const seedAt = args.indexOf('--seed');
  const unknown = args.filter((a, i) => !['--quick', '--big', '--force', '--seed'].includes(a) && !(seedAt >= 0 && i === seedAt + 1));
  if (unknown.length || args.includes('--help')) {
    console.error('usage: node bench/generate.ts [--quick] [--big] [--force] [--seed N]');
    process.exit(unknown.length ? 2 : 0);
  }
  const f = ensureData({
    quick: args.includes('--quick'),
    big: args.includes('--big'),
    force: args.includes('--force'),
    seed: seedAt >= 0 ? Number(args[seedAt + 1]) : undefined,
  });
  for (const p of [f.access, f.events, f.big]) {
    if (fs.existsSync(p)) console.log(`${p}\t${fs.statSync(p).size} bytes`);
  }
}
