package io.vigil.rollup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.model.Alert;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/** The whole rollup stage in a local Flink job with generic types disabled (no Kryo anywhere). */
class ServiceRollupsTest {
    private static final long T0 = 1_793_577_600_000L;

    @Test
    void tenMinutesOfTwoServicesGiveMinuteAndFiveMinuteRollups() throws Exception {
        List<Telemetry> input = new ArrayList<>();
        for (int s = 0; s < 600; s++) { // one request per second per service for 10 minutes
            input.add(Telemetry.span(T0 + s * 1000L, "cart", "GET /api/cart", 20, s % 10 == 0 ? "error" : "ok"));
            input.add(Telemetry.span(T0 + s * 1000L + 1, "auth", "POST /api/auth", 5, "ok"));
        }
        Alert a = new Alert();
        a.service = "cart";
        a.ruleId = "cart-errors";
        a.severity = "medium";
        a.eventTime = T0 + 90_000;

        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
        DataStream<Telemetry> telemetry = env.fromData(input)
                .assignTimestampsAndWatermarks(
                        WatermarkStrategy.<Telemetry>forBoundedOutOfOrderness(Duration.ofSeconds(5))
                                .withTimestampAssigner((t, ts) -> t.timestamp));
        DataStream<Alert> alerts = env.fromData(a)
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Alert>forMonotonousTimestamps()
                        .withTimestampAssigner((x, ts) -> x.eventTime));
        Map<String, Rollup> out = new TreeMap<>();
        int n = 0;
        CloseableIterator<Rollup> it = ServiceRollups.attach(telemetry, alerts).executeAndCollect();
        try {
            while (it.hasNext()) {
                Rollup r = it.next();
                out.put(r.seriesId() + "@" + (r.windowStart - T0) / 60_000, r);
                n++;
            }
        } finally {
            it.close();
        }
        assertEquals(n, out.size(), "no rollup emitted twice");
        // 10 minutes + 2 five-minute windows, each with rate, error ratio, 3 quantiles, per service; one alert count.
        assertEquals((10 + 2) * 5 * 2 + 2, n, out.keySet().toString());
        assertEquals(1.0, out.get("request_rate_per_second{service=cart,window=1m}@3").value, 1e-9);
        assertEquals(0.1, out.get("error_ratio{service=cart,window=5m}@5").value, 1e-9);
        assertEquals(300, out.get("error_ratio{service=cart,window=5m}@5").count);
        assertEquals(0.005, out.get("latency_seconds{service=auth,quantile=0.95,window=1m}@7").value, 1e-9);
        assertEquals(1, out.get("alerts{service=cart,rule=cart-errors,severity=medium,window=1m}@1").value);
        assertEquals(1, out.get("alerts{service=cart,rule=cart-errors,severity=medium,window=5m}@0").value);
    }
}
