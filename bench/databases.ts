// Writes 1M rows in one batch to each database sink through bin/sluice and reports rows/s
// (`node bench/databases.ts [ROWS]`; needs the PostgreSQL and MariaDB of the machine notes).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SLUICE = fileURLToPath(new URL('../bin/sluice', import.meta.url));
const ROWS = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
const input = join(dir, 'in.ndjson');
writeFileSync(input, Array.from({ length: ROWS }, (_, i) => `{"id":${i},"name":"user-${i % 1000}","score":${(i % 977) / 7}}\n`).join(''));
const table = `bench_${process.pid}`;
const targets = {
  sqlite: `sqlite:${join(dir, 'bench.db')}?table=${table}`,
  postgres: `postgres://root@127.0.0.1:5432/test?table=${table}`,
  mysql: `mysql://root@127.0.0.1:3306/test?table=${table}`,
};
for (const [name, uri] of Object.entries(targets)) {
  for (const mode of ['append', 'upsert']) {
    const out = `${uri}_${mode}&mode=${mode}${mode === 'upsert' ? '&key=id' : ''}`;
    const started = performance.now();
    const r = spawnSync(SLUICE, ['-b', '1h', '-i', input, '--parse', 'json', '-o', out], { encoding: 'utf8' });
    const s = (performance.now() - started) / 1000;
    if (r.status !== 0) throw new Error(`${name}: ${r.stderr}`);
    console.log(`${name.padEnd(8)} ${mode.padEnd(6)} ${ROWS} rows in ${s.toFixed(1)} s: ${Math.round(ROWS / s).toLocaleString('en')} rows/s (parse included)`);
  }
}
