// Runs Spark MLlib's streaming algorithms on the batches of batches.json and writes what they learnt
// after each batch to reference.json: StreamingKMeans' centres, the Streaming*WithSGD weights and
// StreamingTest's results. Batches are fed on a manual clock, one per second of batch time.
package sluice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.clustering.StreamingKMeans;
import org.apache.spark.mllib.clustering.StreamingKMeansModel;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.regression.LabeledPoint;
import org.apache.spark.mllib.regression.StreamingLinearRegressionWithSGD;
import org.apache.spark.mllib.classification.StreamingLogisticRegressionWithSGD;
import org.apache.spark.mllib.stat.test.BinarySample;
import org.apache.spark.mllib.stat.test.StreamingTest;
import org.apache.spark.mllib.stat.test.StreamingTestResult;
import org.apache.spark.rdd.RDD;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.StreamingContext;
import org.apache.spark.streaming.Time;
import org.apache.spark.streaming.api.java.JavaDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.apache.spark.streaming.dstream.InputDStream;
import org.apache.spark.util.ManualClock;
import scala.Option;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

public final class MllibReference {
  /** What each batch gave, in the order the batches ran (static: the streams' functions capture nothing). */
  static final List<JsonNode> OUT = new CopyOnWriteArrayList<>();

  static final ObjectMapper JSON = new ObjectMapper();

  /** An input stream whose batch at second i of batch time is the i-th of a list (unlike queueStream, it can be checkpointed). */
  static final class Batches<T> extends InputDStream<T> {
    private final ArrayList<ArrayList<T>> batches;

    Batches(StreamingContext ssc, ArrayList<ArrayList<T>> batches, ClassTag<T> tag) {
      super(ssc, tag);
      this.batches = batches;
    }

    @Override
    public void start() {}

    @Override
    public void stop() {}

    @Override
    public Option<RDD<T>> compute(Time time) {
      int i = (int) (time.milliseconds() / 1000) - 1;
      List<T> batch = i >= 0 && i < batches.size() ? batches.get(i) : new ArrayList<>();
      return Option.apply(JavaSparkContext.fromSparkContext(context().sparkContext()).parallelize(batch, 2).rdd());
    }
  }

  static <T> ArrayList<ArrayList<T>> batchesOf(JsonNode c, Function<JsonNode, T> record) {
    ArrayList<ArrayList<T>> batches = new ArrayList<>();
    for (JsonNode batch : c.get("batches")) {
      ArrayList<T> records = new ArrayList<>();
      for (JsonNode r : batch) records.add(record.apply(r));
      batches.add(records);
    }
    return batches;
  }

  static double[] doubles(JsonNode array) {
    double[] v = new double[array.size()];
    for (int i = 0; i < v.length; i++) v[i] = array.get(i).asDouble();
    return v;
  }

  static ArrayNode array(double[] v) {
    ArrayNode a = JSON.createArrayNode();
    for (double x : v) a.add(x);
    return a;
  }

  /** A streaming context on a manual clock, its checkpoint in a fresh directory. */
  static JavaStreamingContext context(JavaSparkContext sc) throws Exception {
    JavaStreamingContext ssc = new JavaStreamingContext(sc, Durations.seconds(1));
    ssc.checkpoint(Files.createTempDirectory("mllib-reference").toString());
    return ssc;
  }

  /** Start, then let `n` batches run one by one; returns what each gave. */
  static List<JsonNode> run(JavaStreamingContext ssc, int n) throws InterruptedException {
    OUT.clear();
    ssc.start();
    ManualClock clock = (ManualClock) ssc.ssc().scheduler().clock();
    for (int i = 1; i <= n; i++) {
      clock.advance(1000);
      long deadline = System.currentTimeMillis() + 120_000;
      while (OUT.size() < i) {
        if (System.currentTimeMillis() > deadline) throw new IllegalStateException("batch " + i + " did not run");
        Thread.sleep(5);
      }
    }
    ssc.stop(false, false);
    return new ArrayList<>(OUT);
  }

  static <T> JavaDStream<T> stream(JavaStreamingContext ssc, ArrayList<ArrayList<T>> batches, Class<T> type) {
    ClassTag<T> tag = ClassTag$.MODULE$.apply(type);
    return new JavaDStream<>(new Batches<>(ssc.ssc(), batches, tag), tag);
  }

  static StreamingKMeans kmeansModel;
  static StreamingLinearRegressionWithSGD linearModel;
  static StreamingLogisticRegressionWithSGD logisticModel;

  static ObjectNode kmeans(JavaSparkContext sc, JsonNode c) throws Exception {
    JavaStreamingContext ssc = context(sc);
    int k = c.get("k").asInt();
    String unit = c.get("timeUnit").asText();
    kmeansModel = new StreamingKMeans(k, c.has("decay") ? c.get("decay").asDouble() : 1.0, unit);
    if (c.has("halfLife")) kmeansModel.setHalfLife(c.get("halfLife").asDouble(), unit);
    Vector[] centres = new Vector[k];
    double[] weights = new double[k];
    for (int i = 0; i < k; i++) {
      centres[i] = Vectors.dense(doubles(c.get("centres").get(i)));
      weights[i] = c.get("initialWeight").asDouble();
    }
    kmeansModel.setInitialCenters(centres, weights);
    ArrayList<ArrayList<Vector>> batches = batchesOf(c, (r) -> Vectors.dense(doubles(r)));
    JavaDStream<Vector> points = stream(ssc, batches, Vector.class);
    kmeansModel.trainOn(points);
    points.foreachRDD((rdd, time) -> {
      StreamingKMeansModel model = kmeansModel.latestModel();
      ObjectNode batch = JSON.createObjectNode();
      ArrayNode cs = batch.putArray("centres");
      for (Vector v : model.clusterCenters()) cs.add(array(v.toArray().clone()));
      batch.set("weights", array(model.clusterWeights().clone()));
      OUT.add(batch);
    });
    return result(c, run(ssc, batches.size()));
  }

  static ObjectNode sgd(JavaSparkContext sc, JsonNode c, boolean logistic) throws Exception {
    JavaStreamingContext ssc = context(sc);
    Vector initial = Vectors.dense(doubles(c.get("initialWeights")));
    ArrayList<ArrayList<LabeledPoint>> batches = batchesOf(c, (r) -> new LabeledPoint(r.get(0).asDouble(), Vectors.dense(doubles(r.get(1)))));
    JavaDStream<LabeledPoint> points = stream(ssc, batches, LabeledPoint.class);
    double step = c.get("stepSize").asDouble();
    int iterations = c.get("iterations").asInt();
    if (logistic) {
      logisticModel = new StreamingLogisticRegressionWithSGD().setStepSize(step).setNumIterations(iterations).setMiniBatchFraction(1.0).setInitialWeights(initial);
      logisticModel.trainOn(points);
    } else {
      linearModel = new StreamingLinearRegressionWithSGD().setStepSize(step).setNumIterations(iterations).setMiniBatchFraction(1.0).setInitialWeights(initial);
      linearModel.trainOn(points);
    }
    points.foreachRDD((rdd, time) -> {
      Vector w = logistic ? logisticModel.latestModel().weights() : linearModel.latestModel().weights();
      ObjectNode batch = JSON.createObjectNode();
      batch.set("weights", array(w.toArray().clone()));
      OUT.add(batch);
    });
    return result(c, run(ssc, batches.size()));
  }

  static ObjectNode streamingTest(JavaSparkContext sc, JsonNode c) throws Exception {
    JavaStreamingContext ssc = context(sc);
    ArrayList<ArrayList<BinarySample>> batches = batchesOf(c, (r) -> new BinarySample(r.get(0).asBoolean(), r.get(1).asDouble()));
    JavaDStream<BinarySample> samples = stream(ssc, batches, BinarySample.class);
    StreamingTest test = new StreamingTest().setPeacePeriod(c.get("peacePeriod").asInt()).setWindowSize(c.get("windowSize").asInt()).setTestMethod(c.get("method").asText());
    test.registerStream(samples).foreachRDD((rdd, time) -> {
      ObjectNode batch = JSON.createObjectNode();
      ArrayNode results = batch.putArray("results");
      for (StreamingTestResult r : rdd.collect()) {
        ObjectNode o = results.addObject();
        o.put("pValue", r.pValue());
        o.put("degreesOfFreedom", r.degreesOfFreedom());
        o.put("statistic", r.statistic());
        o.put("method", r.method());
      }
      OUT.add(batch);
    });
    return result(c, run(ssc, batches.size()));
  }

  static ObjectNode result(JsonNode c, List<JsonNode> batches) {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", c.get("name").asText());
    o.putArray("batches").addAll(batches);
    return o;
  }

  public static void main(String[] args) throws Exception {
    JsonNode cases = JSON.readTree(new File(args[0]));
    SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("sluice-mllib-reference")
        .set("spark.streaming.clock", "org.apache.spark.util.ManualClock")
        .set("spark.ui.enabled", "false");
    JavaSparkContext sc = new JavaSparkContext(conf);
    sc.setLogLevel("WARN");
    ObjectNode out = JSON.createObjectNode();
    out.put("spark", sc.version());
    ArrayNode kmeans = out.putArray("kmeans");
    for (JsonNode c : cases.get("kmeans")) kmeans.add(kmeans(sc, c));
    ArrayNode linear = out.putArray("linear");
    for (JsonNode c : cases.get("linear")) linear.add(sgd(sc, c, false));
    ArrayNode logistic = out.putArray("logistic");
    for (JsonNode c : cases.get("logistic")) logistic.add(sgd(sc, c, true));
    ArrayNode tests = out.putArray("streamingTest");
    for (JsonNode c : cases.get("streamingTest")) tests.add(streamingTest(sc, c));
    sc.stop();
    JSON.writerWithDefaultPrettyPrinter().writeValue(new File(args[1]), out);
  }
}
