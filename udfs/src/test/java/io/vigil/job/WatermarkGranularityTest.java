package io.vigil.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.model.Alert;
import io.vigil.model.Ingested;
import io.vigil.model.Telemetry;
import io.vigil.rules.RuleLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * The detectors judge by event time only: the stack tests' input gives the same alerts whether the watermark follows
 * every record or jumps once to the end marker after the whole backlog was read, as a job started on a full topic
 * sees it. When RescaleIT's runs differed, this ruled the job out before the cause was found in the test's producer.
 */
class WatermarkGranularityTest {
    static final long T0 = 1767225600000L;
    static final long END = T0 + 3_600_000L;

    /** RescaleIT's input (KafkaTestClient.sendSecond): 90 s of six services, then an end marker an hour on. */
    static List<Ingested> input() {
        List<Ingested> in = new ArrayList<>();
        for (int t = 0; t < 90; t++) {
            for (int s = 0; s < 6; s++) {
                String svc = "svc-" + s;
                long base = T0 + t * 1000L;
                in.add(Ingested.of(Telemetry.log(base, svc, "INFO", "INFO in " + svc)));
                if (((t / 15) + s) % 3 == 0) {
                    in.add(Ingested.of(Telemetry.log(base + 300, svc, "ERROR", "ERROR in " + svc)));
                    in.add(Ingested.of(Telemetry.log(base + 600, svc, "ERROR", "ERROR in " + svc)));
                } else if (t % 7 == s) {
                    in.add(Ingested.of(Telemetry.log(base + 500, svc, "ERROR", "ERROR in " + svc)));
                }
            }
        }
        in.add(Ingested.of(Telemetry.log(END, "end", "INFO", "end")));
        return in;
    }

    static List<String> alerts(boolean everyRecord) throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, Duration.ZERO); // no periodic watermark at all
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        DetectionConfig config = new DetectionConfig();
        config.watermarkEveryRecord = everyRecord;
        List<Ingested> input = input();
        WatermarkStrategy<Ingested> atEnd = WatermarkStrategy.<Ingested>forGenerator(ctx -> new AtEndMarker())
                .withTimestampAssigner((i, previous) -> i.telemetry.timestamp);
        TelemetrySource source = (e, wm) -> e.fromData(input, TypeInformation.of(Ingested.class))
                .assignTimestampsAndWatermarks(everyRecord ? wm : atEnd);
        Path rules = Path.of("../jobs/src/test/resources/it-rules/error-burst.yaml");
        DetectionJob.Streams streams = new DetectionJob(
                        config, source, RuleSource.of(RuleLoader.load(List.of(rules))), DetectionJob.Sinks.none())
                .build(env);
        List<String> out = new ArrayList<>();
        CloseableIterator<Alert> it = streams.alerts().executeAndCollect();
        try {
            it.forEachRemaining(a -> out.add(a.id + " " + a.status + " " + a.key + " [" + a.windowStart + ","
                    + a.windowEnd + ") " + a.observed));
        } finally {
            it.close();
        }
        out.sort(null);
        return out;
    }

    /** One watermark, at the end marker, as the job's bounded out-of-orderness would give it (1 s). */
    static final class AtEndMarker implements WatermarkGenerator<Ingested> {
        @Override
        public void onEvent(Ingested i, long timestamp, WatermarkOutput out) {
            if (timestamp >= END) out.emitWatermark(new Watermark(timestamp - 1001));
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput out) {}
    }

    @Test
    void sameAlertsWhetherTheWatermarkFollowsEveryRecordOrJumpsToTheEnd() throws Exception {
        List<String> stepByStep = alerts(true);
        assertEquals(24, stepByStep.size(), "an alert and its resolve per burst: " + stepByStep);
        assertEquals(stepByStep, alerts(false));
    }
}
