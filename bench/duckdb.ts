// DuckDB as a benchmark rival (through @duckdb/node-api, whose binary ships in the npm package): runs one
// SQL query and prints its rows as tab-separated lines, as sluice prints pairs.
//
//   node bench/duckdb.ts "SELECT k, sum(v) FROM read_json_auto('/dev/stdin') GROUP BY k" < data

import { DuckDBInstance } from '@duckdb/node-api';

const [sql] = process.argv.slice(2);
if (!sql) {
  console.error('usage: node bench/duckdb.ts SQL');
  process.exit(2);
}
const connection = await (await DuckDBInstance.create(':memory:')).connect();
const rows = (await connection.runAndReadAll(sql)).getRows();
process.stdout.write(rows.map((row) => `${row.map(String).join('\t')}\n`).join(''));
