// Spark Streaming's side of the word-count benchmark: its NetworkWordCount example on local[2] with
// 1 s batches, reading HOST:PORT until WORDS words have been counted, then printing the epoch ms it
// got there (the harness takes the time from its own accept of the connection).
package bench;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkConf;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.api.java.JavaPairDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import scala.Tuple2;

public final class NetworkWordCount {
  public static void main(String[] args) throws Exception {
    long words = Long.parseLong(args[2]);
    AtomicLong counted = new AtomicLong();
    CountDownLatch done = new CountDownLatch(1);
    SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("NetworkWordCount").set("spark.ui.enabled", "false");
    JavaStreamingContext ssc = new JavaStreamingContext(conf, Durations.seconds(1));
    ssc.sparkContext().setLogLevel("ERROR");
    JavaPairDStream<String, Integer> counts = ssc.socketTextStream(args[0], Integer.parseInt(args[1]), StorageLevel.MEMORY_AND_DISK_SER())
        .flatMap(line -> Arrays.asList(line.split(" ")).iterator())
        .mapToPair(w -> new Tuple2<>(w, 1))
        .reduceByKey(Integer::sum);
    counts.foreachRDD(rdd -> {
      long batch = rdd.map(kv -> (long) kv._2()).fold(0L, Long::sum);
      if (counted.addAndGet(batch) >= words && done.getCount() > 0) {
        System.out.println(System.currentTimeMillis());
        done.countDown();
      }
    });
    ssc.start();
    done.await();
    ssc.stop(true, false);
  }
}
