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
    target(name, _params, problem) {
      if (!name) problem(`expected ${kind}:NAME, e.g. ${kind}:status`);
      else if (kind === 'prometheus' && !METRIC_NAME.test(name)) problem(`'${name}' cannot be part of a metric name (sluice_${name}): use letters, digits and _`);
      return name;
    },
    create(name, _params, options, uri) {
      // a run's own option, which the URI alone cannot say
      if (!options.board) throw new UsageError(`${uri}: is shown by the web UI: add --ui [HOST:]PORT (e.g. --ui 4040)`);
      return panelSink({ kind, name }, options, options.board);
    },
  };
}

export const dashboard = panelDef('dashboard', "each batch as a live table and charts on the --ui page (several: one panel each)");
export const prometheus = panelDef('prometheus', 'each batch\'s pairs as gauges sluice_NAME{key="..."} on the --ui server\'s /metrics');
