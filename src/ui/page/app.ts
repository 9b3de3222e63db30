// The --ui page in the browser: fed by the server's Server-Sent Events (/events), it keeps the last
// batches (as the server does) and redraws at most once a frame. Every key and value reaches the
// page as text (textContent, SVG text nodes, uPlot's canvas), never as HTML.

import uPlot from 'uplot';
import type { Dag, DagNode } from '../dag.ts';
import type { Batch, PanelBatch } from '../history.ts';
import { BATCHES_KEPT, PANEL_BATCHES_KEPT, PANEL_ROWS_KEPT } from '../history.ts';

interface Counters {
  bad: number;
  late: number;
  deadLetters: number;
  checkpointAt?: number;
  queuedChars: number;
  pausedSources: number;
}

interface Snapshot {
  now: number;
  batchMs: number;
  checkpoint: boolean;
  dag: Dag;
  sinks: string[];
  batches: Batch[];
  recordsIn: Record<string, number>;
  edgeTotals: Record<string, number>;
  counters: Counters;
  panels: Record<string, PanelBatch[]>;
}

/** Completed batches the table lists. */
const TABLE_BATCHES = 10;
const BAR_KEYS = 20;
const SERIES_KEYS = 5;
const COLOURS = ['#2f6fb3', '#2f8a4b', '#b36b2f', '#8a2fb3', '#b32f5c', '#2fa3b3'];

const $ = (id: string) => document.getElementById(id)!;

/** Bars stand on zero. */
const FROM_ZERO: uPlot.Scale = { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] };

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children); // strings become text nodes
  return e;
}

function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function table(target: HTMLTableElement, head: string[], rows: (string | number)[][]): void {
  const numeric = (v: string | number): Record<string, string> => (typeof v === 'number' ? { class: 'n' } : {});
  target.replaceChildren(
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((v) => el('td', numeric(v), typeof v === 'number' ? fmt(v) : v))))),
  );
}

const fmt = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(1));
const clock = (ms: number) => new Date(ms).toISOString().slice(11, 23);
const ms = (n: number) => `${fmt(n)} ms`;

let state: Snapshot | undefined;
/** The server's clock minus ours: batch times are the server's. */
let skew = 0;
let ended = false;

// ---- statistics: a timeline and a histogram for each of Spark's four measures

interface Measure {
  name: string;
  unit: string;
  value: (b: Batch, batchMs: number) => number;
}

const MEASURES: Measure[] = [
  { name: 'Input rate', unit: 'records/s', value: (b, batchMs) => (b.recordsIn * 1000) / batchMs },
  { name: 'Scheduling delay', unit: 'ms', value: (b) => b.delayMs },
  { name: 'Processing time', unit: 'ms', value: (b) => b.processingMs },
  { name: 'Total delay', unit: 'ms', value: (b) => b.delayMs + b.processingMs },
];

interface StatRow {
  measure: Measure;
  avg: HTMLElement;
  box: HTMLElement;
  timeline: uPlot;
  histogram: uPlot;
}

let statRows: StatRow[] = [];

function chartWidth(box: HTMLElement, fallback: number): number {
  return Math.max(200, box.clientWidth || fallback);
}

function setupStats(): void {
  const box = $('stats');
  box.replaceChildren();
  statRows = MEASURES.map((measure) => {
    const avg = el('div', { class: 'avg' });
    const label = el('div', {}, el('div', { class: 'name' }, measure.name), avg);
    const line = el('div', { class: 'chart', 'data-chart': `${measure.name} timeline` });
    const hist = el('div', { class: 'chart', 'data-chart': `${measure.name} histogram` });
    box.append(label, line, hist);
    const timeline = new uPlot(
      {
        width: chartWidth(line, 700),
        height: 110,
        legend: { show: false },
        cursor: { show: true, points: { show: false } },
        scales: { x: { time: true } },
        series: [{}, { label: measure.name, stroke: COLOURS[0], width: 1.5, fill: 'rgba(47,111,179,0.08)', points: { show: false } }],
        axes: [{ size: 30 }, { size: 60, label: measure.unit, labelSize: 14 }],
      },
      [[], []],
      line,
    );
    const histogram = new uPlot(
      {
        width: 300,
        height: 110,
        legend: { show: false },
        cursor: { show: false },
        // bins are given by their lower bounds: room for the last one's width
        scales: { x: { time: false, range: (_u, min, max) => [min, max > min ? max + (max - min) / 9 : min + 1] }, y: FROM_ZERO },
        series: [{}, { label: 'batches', fill: 'rgba(47,111,179,0.5)', stroke: COLOURS[0], paths: uPlot.paths.bars!({ size: [0.9, 40] }), points: { show: false } }],
        axes: [{ size: 30 }, { size: 40 }],
      },
      [[], []],
      hist,
    );
    return { measure, avg, box: line, timeline, histogram };
  });
}

/** Values into 10 equal bins: their lower bounds and counts. */
function bins(values: number[]): [number[], number[]] {
  if (!values.length) return [[], []];
  const min = Math.min(...values);
  const max = Math.max(...values);
  const n = 10;
  const width = max > min ? (max - min) / n : 1;
  const counts = new Array<number>(n).fill(0);
  for (const v of values) counts[Math.min(n - 1, Math.floor((v - min) / width))]!++;
  return [counts.map((_, i) => min + i * width), counts];
}

function drawStats(s: Snapshot): void {
  const xs = s.batches.map((b) => b.time / 1000);
  for (const row of statRows) {
    const ys = s.batches.map((b) => row.measure.value(b, s.batchMs));
    row.timeline.setData([xs, ys]);
    row.box.dataset.points = String(xs.length); // what a test can see of the canvas
    row.histogram.setData(bins(ys));
    const mean = ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : 0;
    row.avg.textContent = `avg ${fmt(Math.round(mean * 10) / 10)} ${row.measure.unit}`;
  }
  const first = s.batches[0];
  $('window').textContent = first ? `last ${s.batches.length} batches since ${clock(first.time)}` : '';
}

// ---- the graph of sources, streams and sinks

const NODE_W = 190;
const NODE_H = 46;
const GAP_X = 90;
const GAP_Y = 18;

function drawDag(s: Snapshot): void {
  const { nodes, edges } = s.dag;
  const latest = s.batches.at(-1)?.edges ?? {};
  const columns = new Map<number, DagNode[]>();
  for (const n of nodes) columns.set(n.column, [...(columns.get(n.column) ?? []), n]);
  const pos = new Map<string, { x: number; y: number }>();
  let height = 0;
  for (const [col, list] of columns) {
    list.forEach((n, i) => pos.set(n.id, { x: 10 + col * (NODE_W + GAP_X), y: 10 + i * (NODE_H + GAP_Y) }));
    height = Math.max(height, 10 + list.length * (NODE_H + GAP_Y));
  }
  const width = 20 + Math.max(...[...columns.keys()].map((c) => c + 1)) * (NODE_W + GAP_X) - GAP_X;
  const root = svg('svg', { width, height: height + 10, viewBox: `0 0 ${width} ${height + 10}`, role: 'img', 'aria-label': 'pipeline graph' });
  for (const { from, to } of edges) {
    const a = pos.get(from);
    const b = pos.get(to);
    if (!a || !b) continue;
    const x1 = a.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x;
    const y2 = b.y + NODE_H / 2;
    const mid = (x1 + x2) / 2;
    root.append(svg('path', { d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}` }));
    const count = latest[`${from}->${to}`];
    root.append(svg('text', { x: mid, y: (y1 + y2) / 2 - 4, 'text-anchor': 'middle', class: 'count', 'data-edge': `${from}->${to}` }, count === undefined ? '–' : fmt(count)));
  }
  for (const n of nodes) {
    const { x, y } = pos.get(n.id)!;
    const g = svg('g', { 'data-node': n.id });
    g.append(svg('rect', { x, y, width: NODE_W, height: NODE_H, rx: 4, class: n.kind }));
    g.append(svg('text', { x: x + 8, y: y + 18 }, cut(n.kind === 'sink' ? n.label : `${n.label}`, 28)));
    g.append(svg('text', { x: x + 8, y: y + 35, class: 'detail' }, cut(n.detail, 32)));
    g.append(svg('title', {}, `${n.kind} ${n.label}: ${n.detail}`));
    root.append(g);
  }
  $('dag').replaceChildren(root);
}

const cut = (text: string, n: number) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

// ---- numbers, sources, sinks, batches

function drawSummary(s: Snapshot): void {
  const c = s.counters;
  const last = s.batches.at(-1);
  const now = Date.now() + skew;
  const card = (k: string, v: string, warn = false) => el('div', { class: warn ? 'card warn' : 'card' }, el('div', { class: 'v' }, v), el('div', { class: 'k' }, k));
  const totalIn = Object.values(s.recordsIn).reduce((a, b) => a + b, 0);
  $('summary').replaceChildren(
    card('batch interval', ms(s.batchMs)),
    card('batches kept', `${s.batches.length} / ${BATCHES_KEPT}`),
    card('records in', fmt(totalIn)),
    card('last batch', last ? clock(last.time) : '–'),
    card('bad records', fmt(c.bad), c.bad > 0),
    card('dead letters', fmt(c.deadLetters), c.deadLetters > 0),
    card('late records', fmt(c.late), c.late > 0),
    card('checkpoint age', s.checkpoint ? (c.checkpointAt ? `${((now - c.checkpointAt) / 1000).toFixed(1)} s` : 'none yet') : 'no --checkpoint'),
    card('queued', `${fmt(c.queuedChars)} B`),
    card('paused sources', fmt(c.pausedSources), c.pausedSources > 0),
  );
}

function drawIo(s: Snapshot): void {
  const last = s.batches.at(-1);
  const rate = (n: number) => Math.round((n * 1000) / s.batchMs);
  const sources = s.dag.nodes.filter((n) => n.kind === 'source');
  table($('sources') as HTMLTableElement, ['source', 'in', 'records', 'last batch', 'rate /s'], sources.map((n) => [n.label, n.detail, s.recordsIn[n.id] ?? 0, last?.sources[n.id] ?? 0, rate(last?.sources[n.id] ?? 0)]));
  const sinkEdge = (i: number, counts: Record<string, number>) => Object.entries(counts).filter(([e]) => e.endsWith(`->sink:${i}`)).reduce((a, [, n]) => a + n, 0);
  table($('sinks') as HTMLTableElement, ['sink', 'records', 'last batch', 'rate /s'], s.sinks.map((out, i) => [out, sinkEdge(i, s.edgeTotals), sinkEdge(i, last?.edges ?? {}), rate(sinkEdge(i, last?.edges ?? {}))]));
}

function drawBatches(s: Snapshot): void {
  const last = s.batches.at(-1);
  const rows: (string | number)[][] = [];
  if (!ended) {
    // the open batch: collecting until its time, then closing (or queued behind a slow one)
    const time = last ? last.time + s.batchMs : Math.ceil((Date.now() + skew) / s.batchMs) * s.batchMs;
    rows.push([clock(time), '–', '–', '–', '–', Date.now() + skew < time ? 'receiving' : 'processing']);
  }
  for (const b of s.batches.slice(-TABLE_BATCHES).reverse()) rows.push([clock(b.time), b.recordsIn, ms(b.processingMs), ms(b.delayMs), ms(b.processingMs + b.delayMs), 'done']);
  table($('batches') as HTMLTableElement, ['batch time', 'records', 'processing', 'scheduling delay', 'total delay', 'status'], rows);
}

// ---- dashboard: panels

interface PanelView {
  bars: uPlot;
  series: uPlot;
  barKeys: string[];
  legend: HTMLElement;
  note: HTMLElement;
  latest: HTMLTableElement;
  top: HTMLTableElement;
}

const panelViews = new Map<string, PanelView>();

function panelView(name: string): PanelView {
  let view = panelViews.get(name);
  if (view) return view;
  const barBox = el('div', { 'data-chart': `dashboard ${name} bars` });
  const seriesBox = el('div', { 'data-chart': `dashboard ${name} series` });
  const legend = el('div', { class: 'legend' });
  const note = el('div', { class: 'note' });
  const latest = el('table', { 'data-panel-table': name });
  const top = el('table', { 'data-panel-top': name });
  const box = el(
    'div',
    { class: 'panel', 'data-panel': name },
    el('h2', {}, `dashboard:${name}`, ' ', note),
    el('div', { class: 'charts' }, barBox, el('div', {}, seriesBox, legend)),
    el('div', { class: 'tables' }, el('div', {}, latest), el('div', {}, top)),
  );
  $('panels').append(box);
  const keys: string[] = [];
  const bars = new uPlot(
    {
      width: chartWidth(barBox, 500),
      height: 200,
      legend: { show: false },
      scales: { x: { time: false }, y: FROM_ZERO },
      series: [{}, { label: 'latest batch', fill: 'rgba(47,111,179,0.6)', stroke: COLOURS[0], paths: uPlot.paths.bars!({ size: [0.8, 60] }), points: { show: false } }],
      axes: [{ values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? cut(keys[i] ?? '', 12) : '')), size: 40 }, { size: 50 }],
    },
    [[], []],
    barBox,
  );
  const series = new uPlot(
    { width: chartWidth(seriesBox, 500), height: 200, legend: { show: false }, scales: { x: { time: true } }, series: [{}], axes: [{}, { size: 50 }] },
    [[]],
    seriesBox,
  );
  view = { bars, series, barKeys: keys, legend, note, latest, top };
  panelViews.set(name, view);
  return view;
}

const numberOf = (v: string | undefined) => (v === undefined || v.trim() === '' ? NaN : Number(v));

function drawPanel(name: string, batches: PanelBatch[]): void {
  const view = panelView(name);
  const last = batches.at(-1);
  if (!last) return;
  // the latest batch as it came: the same rows, in the same order, as the other sinks wrote it
  table(view.latest, ['key', 'value'], last.rows.map((r) => [r.key, r.value ?? '']));
  view.latest.dataset.time = String(last.time);
  view.note.textContent = `batch ${clock(last.time)}: ${last.count} ${last.count === 1 ? 'row' : 'rows'}${last.count > last.rows.length ? ` (the first ${PANEL_ROWS_KEPT} shown)` : ''}`;
  const numeric = last.rows.filter((r) => !Number.isNaN(numberOf(r.value)));
  const largest = numeric.toSorted((a, b) => numberOf(b.value) - numberOf(a.value)).slice(0, BAR_KEYS);
  view.barKeys.splice(0, view.barKeys.length, ...largest.map((r) => r.key));
  view.bars.setData([largest.map((_, i) => i), largest.map((r) => numberOf(r.value))]);
  // top keys over the kept batches, and a time series for the first few of them
  const totals = new Map<string, number>();
  for (const b of batches) for (const r of b.rows) if (!Number.isNaN(numberOf(r.value))) totals.set(r.key, (totals.get(r.key) ?? 0) + numberOf(r.value));
  const top = [...totals].sort((a, b) => b[1] - a[1]);
  table(view.top, [`top keys, last ${Math.min(batches.length, PANEL_BATCHES_KEPT)} batches`, 'sum'], top.slice(0, 20).map(([k, v]) => [k, v]));
  const keys = top.slice(0, SERIES_KEYS).map(([k]) => k);
  const shown = view.series.series.slice(1).map((s) => s.label);
  if (shown.join('\n') !== keys.join('\n')) {
    while (view.series.series.length > 1) view.series.delSeries(1);
    keys.forEach((k, i) => view.series.addSeries({ label: k, stroke: COLOURS[i % COLOURS.length], width: 1.5, points: { show: false } }));
    view.legend.replaceChildren(...keys.map((k, i) => el('span', {}, el('i', { style: `background:${COLOURS[i % COLOURS.length]}` }), k)));
  }
  const byKey = batches.map((b) => new Map(b.rows.map((r) => [r.key, numberOf(r.value)])));
  view.series.setData([batches.map((b) => b.time / 1000), ...keys.map((k) => byKey.map((m) => m.get(k) ?? null))] as uPlot.AlignedData);
}

// ---- the feed

let dirty = new Set<string>();

function redraw(): void {
  const s = state;
  if (!s) return;
  const parts = dirty;
  dirty = new Set();
  if (parts.has('batch')) {
    drawStats(s);
    drawDag(s);
    drawIo(s);
    drawBatches(s);
  }
  drawSummary(s);
  for (const part of parts) if (part.startsWith('panel:')) drawPanel(part.slice(6), s.panels[part.slice(6)] ?? []);
}

let frame = 0;
function changed(part: string): void {
  dirty.add(part);
  frame ||= requestAnimationFrame(() => {
    frame = 0;
    redraw();
  });
}

const events = new EventSource('events');
events.addEventListener('snapshot', (e) => {
  state = JSON.parse((e as MessageEvent<string>).data) as Snapshot;
  skew = state.now - Date.now();
  ended = false;
  if (!statRows.length) setupStats();
  $('status').textContent = 'live';
  $('status').className = 'status';
  changed('batch');
  for (const name of Object.keys(state.panels)) changed(`panel:${name}`);
});
events.addEventListener('batch', (e) => {
  if (!state) return;
  const { now, batch, counters } = JSON.parse((e as MessageEvent<string>).data) as { now: number; batch: Batch; counters: Counters };
  skew = now - Date.now();
  state.batches.push(batch);
  if (state.batches.length > BATCHES_KEPT) state.batches.shift();
  for (const [name, n] of Object.entries(batch.sources)) state.recordsIn[name] = (state.recordsIn[name] ?? 0) + n;
  for (const [edge, n] of Object.entries(batch.edges ?? {})) state.edgeTotals[edge] = (state.edgeTotals[edge] ?? 0) + n;
  state.counters = counters;
  changed('batch');
});
events.addEventListener('panel', (e) => {
  if (!state) return;
  const { name, batch } = JSON.parse((e as MessageEvent<string>).data) as { name: string; batch: PanelBatch };
  const list = (state.panels[name] ??= []);
  list.push(batch);
  if (list.length > PANEL_BATCHES_KEPT) list.shift();
  changed(`panel:${name}`);
});
events.addEventListener('error', () => {
  // the run has ended (or the server went away): what is shown stays
  ended = true;
  events.close();
  $('status').textContent = 'ended';
  $('status').className = 'status ended';
  changed('batch');
});
// the checkpoint's age and the open batch move on between batches
setInterval(() => state && changed('tick'), 1000);
