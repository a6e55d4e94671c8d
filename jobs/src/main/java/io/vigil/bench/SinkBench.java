package io.vigil.bench;

import io.vigil.model.Rollup;
import io.vigil.sink.prometheus.RemoteWriteConfig;
import io.vigil.sink.prometheus.RemoteWriteSink;
import io.vigil.sink.search.SearchConfig;
import io.vigil.sink.search.SearchSink;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Sink benchmark: rollups per second through the search sink (documents/s) and the remote-write sink (samples/s),
 * each as a bounded local Flink job at parallelism 1, next to the same job into a discarding sink measured in the same
 * run after a warm-up run (the baseline: generating and serializing the rollups). Needs the servers: {@code bin/vigil stack start
 * opensearch|prometheus}.
 */
@Command(
        name = "sinks",
        mixinStandardHelpOptions = true,
        description = "Documents/s through the search sink and samples/s through remote write vs a discarding sink.")
public final class SinkBench implements Callable<Integer> {
    @Option(names = "--search-url", paramLabel = "URL", description = "OpenSearch/Elasticsearch URL; omit to skip")
    String searchUrl;

    @Option(names = "--prometheus-url", paramLabel = "URL", description = "remote-write URL; omit to skip")
    String prometheusUrl;

    @Option(
            names = "--search-max-in-flight",
            split = ",",
            defaultValue = "4",
            paramLabel = "N[,N...]",
            description = "bulk requests in flight; several values run the search sink once each, to compare them "
                    + "in one run (default ${DEFAULT-VALUE})")
    java.util.List<Integer> searchMaxInFlight;

    @Option(names = "--rollups", defaultValue = "200000", description = "rollups per run (default ${DEFAULT-VALUE})")
    int rollups;

    @Option(names = "--series", defaultValue = "500", description = "distinct series (default ${DEFAULT-VALUE})")
    int series;

    @Override
    public Integer call() throws Exception {
        if (rollups < 1 || series < 1) {
            System.err.println("--rollups and --series must be positive");
            return 2;
        }
        if (searchUrl == null && prometheusUrl == null) {
            System.err.println("give --search-url and/or --prometheus-url (bin/vigil stack env prints them)");
            return 2;
        }
        run(new DiscardingSink<>(), System.currentTimeMillis()); // warm-up: class loading, JIT, MiniCluster start
        double baseline = run(new DiscardingSink<>(), System.currentTimeMillis());
        System.out.printf(Locale.ROOT, "%-34s %,12.0f rollups/s%n", "discarding sink (baseline)", baseline);
        for (int inFlight : searchUrl == null ? java.util.List.<Integer>of() : searchMaxInFlight) {
            SearchConfig c = SearchConfig.of(searchUrl);
            c.indexPrefix = "vigil-bench";
            c.maxInFlight = inFlight;
            double r = run(SearchSink.rollups(c), System.currentTimeMillis());
            System.out.printf(
                    Locale.ROOT,
                    "%-34s %,12.0f documents/s  (%.3f of baseline)%n",
                    "search sink (_bulk, " + inFlight + " in flight)",
                    r,
                    r / baseline);
        }
        if (prometheusUrl != null) {
            // Recent timestamps: receivers refuse samples far in the past.
            double r = run(new RemoteWriteSink(RemoteWriteConfig.of(prometheusUrl)), System.currentTimeMillis());
            System.out.printf(
                    Locale.ROOT,
                    "%-34s %,12.0f samples/s    (%.3f of baseline)%n",
                    "remote-write sink",
                    r,
                    r / baseline);
        }
        return 0;
    }

    /** Runs one bounded job of {@link #rollups} rollups into the sink; returns rollups per second of wall time. */
    private double run(Sink<Rollup> sink, long now) throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestOptions.BIND_PORT, "0");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        int n = rollups;
        int s = series;
        // Each series gets consecutive minutes ending before now, in order, as a rollup stage emits them.
        long first = (now / 60_000 - (n / s + 1)) * 60_000;
        env.fromSequence(0, n - 1)
                .map(i -> {
                    long minute = i / s;
                    Rollup r = new Rollup(
                            "bench_value",
                            "svc-" + (i % s % 20),
                            first + minute * 60_000,
                            first + (minute + 1) * 60_000,
                            i % 1000 / 10.0,
                            1);
                    return r.label("window", "1m").label("series", Long.toString(i % s));
                })
                .returns(TypeInformation.of(Rollup.class))
                .sinkTo(sink);
        long t0 = System.nanoTime();
        env.execute("bench sinks");
        return n / ((System.nanoTime() - t0) / 1e9);
    }
}
