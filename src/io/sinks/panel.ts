// `dashboard:NAME` and `prometheus:NAME`: each batch's records go to the --ui server, as a live
// table and charts on its page, or as gauges `sluice_NAME{key="..."}` on its /metrics.

import { UsageError } from '../../core/errors.ts';
import type { Board, Panel, Row, Sink, SinkDef, SinkOptions } from './sink.ts';

/** What Prometheus accepts in a metric name after `sluice_`. */
const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A sink that hands each complete batch to its panel of `board` as rows, the pair's key and value each written by the sink's format. */
export function panelSink(panel: Panel, options: SinkOptions, board: Board): Sink {
  const publish = board.open(panel);
  let rows: Row[] = [];
  let time = 0;
  const text = (v: unknown) => options.render(v);
  return {
    begin(t) {
      time = t;
      rows = [];
    },
    push(rec) {
      rows.push(Array.isArray(rec) && rec.length === 2 ? { key: text(rec[0]), value: text(rec[1]) } : { key: text(rec) });
    },
    end() {
      publish(time, rows);
      rows = [];
    },
    close: async () => {},
  };
}

function panelDef(kind: Panel['kind'], summary: string): SinkDef {
  return {
    scheme: kind,
    usage: `${kind}:NAME`,
    summary,
    params: [],
    create(name, _params, options, uri) {
      if (!name) throw new UsageError(`${uri}: expected ${kind}:NAME, e.g. ${kind}:status`);
      if (kind === 'prometheus' && !METRIC_NAME.test(name)) {
        throw new UsageError(`${uri}: '${name}' cannot be part of a metric name (sluice_${name}): use letters, digits and _`);
      }
      if (!options.board) throw new UsageError(`${uri}: is shown by the web UI: add --ui [HOST:]PORT (e.g. --ui 4040)`);
      return panelSink({ kind, name }, options, options.board);
    },
  };
}

export const dashboard = panelDef('dashboard', "each batch as a live table and charts on the --ui page (several: one panel each)");
export const prometheus = panelDef('prometheus', 'each batch\'s pairs as gauges sluice_NAME{key="..."} on the --ui server\'s /metrics');
