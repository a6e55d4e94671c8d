package io.vigil.ingest;

import io.vigil.model.Ingested;
import io.vigil.model.Telemetry;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Splits what a decoding source emits: telemetry to the main output, dead letters to
 * {@link DecodeFunction#DEAD_LETTERS}, counted like {@link DecodeFunction} does ({@code recordsDecoded} counts the
 * {@link Ingested} elements here). For sources that decode inside their deserializer (Kafka), so that watermarks are
 * generated per partition on decoded event time. Stateless.
 */
public class SplitDeadLetters extends ProcessFunction<Ingested, Telemetry> {
    private static final long serialVersionUID = 1L;

    /** Package-private for tests. */
    transient IngestMetrics metrics;

    @Override
    public void open(OpenContext openContext) {
        metrics = new IngestMetrics(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(Ingested in, Context ctx, Collector<Telemetry> out) {
        metrics.recordsIn.inc();
        if (in.isDead()) {
            metrics.deadLetters(in.deadLetter.reason).inc();
            ctx.output(DecodeFunction.DEAD_LETTERS, in.deadLetter);
        } else if (in.telemetry != null) {
            metrics.telemetryOut.inc();
            out.collect(in.telemetry);
        }
    }
}
