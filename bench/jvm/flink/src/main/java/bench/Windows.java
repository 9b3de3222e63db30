// Flink's side of the window benchmark: 10 s tumbling event-time counts per status of a CLF file,
// watermark 1 s behind the latest time, printed as "windowEnd<TAB>status<TAB>count" like sluice --with-time.
package bench;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

public final class Windows {
  private static final DateTimeFormatter CLF = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);

  /** A line's [status, epoch ms]: fields 4-5 hold "[dd/MMM/yyyy:HH:mm:ss" "+zzzz]", field 9 the status. */
  static Tuple2<String, Long> parse(String line) {
    String[] f = line.split(" ");
    String time = f[3].substring(1) + " " + f[4].substring(0, f[4].length() - 1);
    return Tuple2.of(f[8], ZonedDateTime.parse(time, CLF).toInstant().toEpochMilli());
  }

  public static void main(String[] args) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(Integer.parseInt(args[1]));
    FileSource<String> file = FileSource.forRecordStreamFormat(new TextLineInputFormat(), new Path(args[0])).build();
    WatermarkStrategy<Tuple2<String, Long>> late = WatermarkStrategy.<Tuple2<String, Long>>forBoundedOutOfOrderness(Duration.ofSeconds(1))
        .withTimestampAssigner((rec, previous) -> rec.f1);
    try (CloseableIterator<Tuple3<Long, String, Long>> out = env.fromSource(file, WatermarkStrategy.noWatermarks(), "access log")
        .map(Windows::parse)
        .returns(org.apache.flink.api.common.typeinfo.Types.TUPLE(org.apache.flink.api.common.typeinfo.Types.STRING, org.apache.flink.api.common.typeinfo.Types.LONG))
        .assignTimestampsAndWatermarks(late)
        .keyBy(rec -> rec.f0)
        .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
        .aggregate(new Count(), new WithEnd())
        .executeAndCollect()) {
      StringBuilder text = new StringBuilder();
      while (out.hasNext()) {
        Tuple3<Long, String, Long> row = out.next();
        text.append(row.f0).append('\t').append(row.f1).append('\t').append(row.f2).append('\n');
      }
      System.out.print(text);
    }
  }

  static final class Count implements AggregateFunction<Tuple2<String, Long>, Long, Long> {
    public Long createAccumulator() { return 0L; }
    public Long add(Tuple2<String, Long> rec, Long n) { return n + 1; }
    public Long getResult(Long n) { return n; }
    public Long merge(Long a, Long b) { return a + b; }
  }

  static final class WithEnd extends ProcessWindowFunction<Long, Tuple3<Long, String, Long>, String, TimeWindow> {
    @Override
    public void process(String status, Context ctx, Iterable<Long> counts, Collector<Tuple3<Long, String, Long>> out) {
      out.collect(Tuple3.of(ctx.window().getEnd(), status, counts.iterator().next()));
    }
  }
}
