// The --ui page in a real headless Chromium, its /metrics read with a Prometheus text-format
// parser, and the --live and -v terminal views under a real pseudo-terminal (script(1)).

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat, { type Family } from 'parse-prometheus-text-format';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, SLUICE, sluice, start, tempDir } from './support/cli.ts';
import { eventually } from './support/eventually.ts';

const ARTIFACTS = join(ROOT, 'test/artifacts');
/** A record that would run script or show an image if the page wrote it as HTML. */
const HTML_KEY = '<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>';

let browser: BrowserContext;

beforeAll(async () => {
  browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'sluice-chromium-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 1000 },
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** sluice with --ui on a free port, fed on stdin by the test; resolves once it says where the page is. */
async function withUi(args: string[]) {
  const run = start([...args, '--ui', '0']);
  await eventually(() => /web UI at (http:\S+)/.test(run.stderr()), 'the web UI address');
  const url = /web UI at (http:\S+)/.exec(run.stderr())![1]!;
  return { ...run, url, feed: (text: string) => run.child.stdin!.write(text) };
}

async function metrics(url: string): Promise<Family[]> {
  const res = await fetch(new URL('metrics', url));
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusTextFormat(await res.text());
}

function sample(families: Family[], name: string, labels: Record<string, string> = {}): number | undefined {
  const metric = families.find((f) => f.name === name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return metric?.value === undefined ? undefined : Number(metric.value);
}

async function openPage(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('requestfailed', (r) => !r.url().endsWith('/events') && errors.push(`request failed: ${r.url()}`));
  // everything the page loads comes from sluice itself
  page.on('request', (r) => !r.url().startsWith(url) && !r.url().startsWith('data:') && errors.push(`request elsewhere: ${r.url()}`));
  await page.goto(url);
  return { page, errors };
}

/** With the page of `run` open, write `feed()` to its stdin every `everyMs` while `body` runs; then end the input and expect a clean exit. */
async function whileFed(run: Awaited<ReturnType<typeof withUi>>, feed: () => string, everyMs: number, body: (page: Page, errors: string[]) => Promise<void>) {
  const { page, errors } = await openPage(run.url);
  const feeder = setInterval(() => run.feed(feed()), everyMs);
  try {
    await body(page, errors);
  } finally {
    clearInterval(feeder);
    await page.close();
    run.child.stdin!.end();
  }
  expect((await run.done).code).toBe(0);
}

const points = (page: Page, chart: string) => page.locator(`[data-chart="${chart}"]`).getAttribute('data-points').then(Number);

describe('--ui', () => {
  it('draws the run live, shows records as text, and its dashboard table is what stdout wrote', async () => {
    const run = await withUi(['-b', '200ms', '--count-by-value', '-o', '-', '-o', 'dashboard:codes', '--with-time']);
    await whileFed(run, () => `200\n200\n404\n${HTML_KEY}\n500\n`, 50, async (page, errors) => {
      await page.waitForFunction(() => Number(document.querySelector('[data-chart="Input rate timeline"]')?.getAttribute('data-points')) >= 3);
      const before = await points(page, 'Input rate timeline');
      await page.waitForFunction((n) => Number(document.querySelector('[data-chart="Input rate timeline"]')?.getAttribute('data-points')) > n, before);
      for (const chart of ['Scheduling delay timeline', 'Processing time timeline', 'Total delay timeline']) expect(await points(page, chart)).toBeGreaterThan(before);
      // the graph has the plan's nodes, with records on its edges
      await expect.poll(() => page.locator('[data-node]').count()).toBe(4);
      await page.waitForFunction(() => Number(document.querySelector('[data-edge="in1->main"]')?.textContent?.replace(/,/g, '')) > 0);

      // the latest panel batch, row for row, is what stdout wrote for that batch
      await page.waitForFunction(() => document.querySelectorAll('[data-panel-table="codes"] tbody tr').length === 4);
      // its time and rows read at once: the next batch may redraw the table between two reads
      const { time, rows } = await page.locator('[data-panel-table="codes"]').evaluate((table) => ({
        time: table.getAttribute('data-time'),
        rows: [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent).join('\t')),
      }));
      await eventually(() => run.stdout().includes(`${time}\t`), 'the batch on stdout');
      const written = run.stdout().split('\n').filter((l) => l.startsWith(`${time}\t`)).map((l) => l.slice(`${time}\t`.length));
      expect(rows).toEqual(written);

      // HTML in a record is text: shown as written, nothing run, no element made of it
      expect(rows.some((r) => r.startsWith(`${HTML_KEY}\t`))).toBe(true);
      expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
      expect(await page.locator('[data-panel] img, [data-panel] td script').count()).toBe(0);

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'ui.png'), fullPage: true });
      expect(errors).toEqual([]);
    });
  });

  it('serves /metrics whose counters are the run’s own, /ready, /healthz, and nothing that changes the run', async () => {
    const run = await withUi(['-b', '100ms', '--count-by-value', '-o', '-', '-o', 'prometheus:codes', '--on-error', 'skip', '--parse', 'json']);
    const lines = 300;
    run.feed(Array.from({ length: lines }, (_, i) => (i % 100 === 99 ? 'not json\n' : `${JSON.stringify(['200', '404', HTML_KEY][i % 3])}\n`)).join(''));
    await eventually(() => run.stdout().split('\n').length > 3, 'a batch out');
    let families: Family[] = [];
    await expect
      .poll(async () => {
        families = await metrics(run.url);
        return sample(families, 'sluice_records_in_total', { source: 'in1' });
      })
      .toBe(lines);
    expect(sample(families, 'sluice_records_out_total', { sink: '-' })).toBe(run.stdout().trimEnd().split('\n').length);
    expect(sample(families, 'sluice_bad_records_total')).toBe(3);
    expect(sample(families, 'sluice_batches_total')).toBeGreaterThan(0);
    expect(families.find((f) => f.name === 'sluice_batch_processing_seconds')?.type).toBe('HISTOGRAM');
    expect(families.find((f) => f.name === 'sluice_batch_scheduling_delay_seconds')?.type).toBe('HISTOGRAM');
    // the last batch with records: its pairs as gauges, an HTML key escaped as the format requires and read back whole
    const keys = families.find((f) => f.name === 'sluice_codes')!.metrics.map((m) => m.labels!.key).sort();
    expect(keys).toEqual(['200', '404', HTML_KEY].sort());
    expect((await fetch(new URL('ready', run.url))).status).toBe(200);
    expect(await (await fetch(new URL('healthz', run.url))).text()).toBe('ok\n');
    expect((await fetch(run.url, { method: 'POST' })).status).toBe(405);
    expect((await fetch(new URL('nothing', run.url))).status).toBe(404);
    // a name that points at 127.0.0.1 from elsewhere (DNS rebinding) reads nothing
    const rebound = await new Promise<number>((resolve, reject) => {
      const { port } = new URL(run.url);
      request({ host: '127.0.0.1', port, path: '/events', headers: { Host: `attacker.example:${port}` } }, (res) => resolve(res.statusCode!)).on('error', reject).end();
    });
    expect(rebound).toBe(421);
    expect(run.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    run.child.stdin!.end();
    expect((await run.done).code).toBe(0);
  });

  it('is the `ui` key of a pipeline file', async () => {
    const dir = tempDir();
    const file = join(dir, 'p.yaml');
    writeFileSync(file, 'ui: 0\nbatch: 1h\nsources: {in: {in: "-"}}\nstreams: {main: {from: in, ops: [{count: }]}}\nsinks: [{from: main, out: "-"}]\n');
    const r = await sluice(['run', file], 'a\nb\n');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^sluice: web UI at http:\/\/127\.0\.0\.1:\d+\/$/m);
    expect(r.stdout).toBe('2\n');
  });

  it('a port in use is a usage error before any input is read', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    const dir = tempDir();
    const dlq = join(dir, 'dlq');
    try {
      const r = await sluice(['--parse', 'json', '--on-error', `dlq:${dlq}`, '--ui', String(port)], 'not json\n');
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--ui ${port}: port ${port} is in use on 127.0.0.1`);
      expect(r.stdout).toBe('');
      expect(existsSync(dlq)).toBe(false); // the bad record was never read
    } finally {
      taken.close();
    }
  });

  it('refuses what it cannot do, saying why', async () => {
    const noUi = await sluice(['--count', '-o', 'dashboard:x'], '');
    expect(noUi.code).toBe(2);
    expect(noUi.stderr).toContain('dashboard:x: is shown by the web UI: add --ui [HOST:]PORT');
    const badName = await sluice(['--count', '-o', 'prometheus:a-b', '--ui', '0'], '');
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain("'a-b' cannot be part of a metric name");
    const badPort = await sluice(['--count', '--ui', 'localhost:99999'], '');
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--ui: expected [HOST:]PORT');
    const scheduled = await sluice(['--count', '--schedule', '* * * * *', '-i', 'x.log', '--ui', '0'], '');
    expect(scheduled.code).toBe(2);
    expect(scheduled.stderr).toContain('--ui shows one running stream, and --schedule makes a short --once pass at each tick');
    const noStdout = await sluice(['--count', '--live', '-o', '/dev/null'], '');
    expect(noStdout.code).toBe(2);
    expect(noStdout.stderr).toContain("--live redraws stdout's batches, and no -o is stdout");
    const notTty = await sluice(['--count', '--live'], '');
    expect(notTty.code).toBe(2);
    expect(notTty.stderr).toContain('--live redraws the screen, and stdout is not a terminal');
  });

  /** How long the memory test runs; the 2 minutes: SLUICE_RSS_SECONDS=120. */
  const seconds = Number(process.env.SLUICE_RSS_SECONDS ?? 30);

  it('keeps memory flat over a 100 ms batch run with the page open', async () => {
    const run = await withUi(['-b', '100ms', '--map', 'x % 500', '--count-by-value', '-o', 'dashboard:keys', '-o', '/dev/null']);
    let n = 0;
    const rss = async () => sample(await metrics(run.url), 'process_resident_memory_bytes')! / 2 ** 20;
    await whileFed(run, () => Array.from({ length: 1000 }, () => `${n++}\n`).join(''), 20, async (page, errors) => {
      await page.waitForFunction(() => Number(document.querySelector('[data-chart="Input rate timeline"]')?.getAttribute('data-points')) >= 20);
      const samples: number[] = [];
      const started = Date.now();
      while (Date.now() - started < seconds * 1000) {
        samples.push(await rss());
        await page.waitForTimeout(1000);
      }
      const warm = samples.slice(5, 10).reduce((a, b) => Math.max(a, b), 0);
      const last = samples.slice(-5).reduce((a, b) => Math.max(a, b), 0);
      const batches = sample(await metrics(run.url), 'sluice_batches_total')!;
      process.stderr.write(`RSS over ${seconds} s of 100 ms batches (${batches} batches, ${n} records): ${samples.map((s) => s.toFixed(0)).join(' ')} MiB; after warm-up ${warm.toFixed(1)}, at the end ${last.toFixed(1)}\n`);
      expect(last - warm).toBeLessThan(25);
      expect(errors).toEqual([]);
    });
  }, (seconds + 60) * 1000);
});

/** Run `command` under script(1): its stdin, stdout and stderr are a pseudo-terminal of `rows` x `cols`; resolves with what the terminal got. */
function underTerminal(command: string, rows: number, cols: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('script', ['-qfec', `stty rows ${rows} cols ${cols}; ${command}`, '/dev/null'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

describe('terminal views', () => {
  it('--live redraws the latest batch in place: sorted, the rows that fit, the batch time and rates', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.txt');
    // ten keys: k0 once, k1 twice, ... k9 ten times
    writeFileSync(input, Array.from({ length: 10 }, (_, k) => `k${k}\n`.repeat(k + 1)).join(''));
    const screen = await underTerminal(`${SLUICE} -i ${input} --count-by-value --live`, 8, 60);
    const frames = screen.split('\x1b[H\x1b[J').map((frame) => frame.replace(/\r/g, '').trimEnd().split('\n'));
    expect(frames.length).toBeGreaterThan(1);
    // the batch of the ten keys: a batch tick between the file's lines and its end adds an empty one after it
    const last = frames.filter((frame) => !/ 0 rows$/.test(frame[0]!)).at(-1)!;
    expect(last[0]).toMatch(/^Time: \d{4}-\d\d-\d\dT.* \(\d+ ms\)   10 rows$/);
    expect(last[1]).toMatch(/^in 55\/s   out 10\/s   processing \d+ ms   delay \d+ ms$/);
    // 8 rows: two of header, a blank, and the five that fit, the last saying what does not
    expect(last.slice(2)).toEqual(['', 'k9  10', 'k8  9', 'k7  8', 'k6  7', '... 6 more']);
  });

  it('-v on a terminal is one status line redrawn in place; off a terminal, a line per batch', async () => {
    const screen = await underTerminal(`(echo a; sleep 0.3; echo b; sleep 0.3; echo c) | ${SLUICE} -v -b 100ms --count -o /dev/null`, 24, 200);
    const out = screen.replace(/\r\n/g, '\n').replace(/\x1b\[[\d;]+m/g, ''); // colour, where sluice gives it
    expect(out.split('\x1b[K').length).toBeGreaterThan(3);
    expect(out.trimEnd().split('\n')).toHaveLength(1); // one line, ended once at exit
    expect(out).toMatch(/sluice: \d+ batches, \d+ records\/s; last batch \d+: 1 in, 1 out/);
    const piped = await sluice(['-v', '-b', '100ms', '--count', '-o', '/dev/null'], 'a\n');
    expect(piped.stderr).toMatch(/^sluice: batch \d+: 1 in, 1 out, \d+ ms processing, \d+ ms scheduling delay$/m);
    expect(piped.stderr).not.toContain('\x1b[K');
  });
});
