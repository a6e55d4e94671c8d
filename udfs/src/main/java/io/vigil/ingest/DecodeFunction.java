package io.vigil.ingest;

import io.vigil.model.DeadLetter;
import io.vigil.model.Ingested;
import io.vigil.model.RawRecord;
import io.vigil.model.Telemetry;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes raw records in the format each one names: telemetry goes to the main output, dead letters to the side
 * output {@link #DEAD_LETTERS}. Nothing is dropped and nothing throws: a record in an unknown format is a dead letter
 * too ({@code unknown_format}). Counted as described in {@link IngestMetrics} ({@code recordsDecoded},
 * {@code telemetryOut}, {@code deadLetters} per {@code reason}).
 *
 * <p>Use it where raw bytes flow as {@link RawRecord}s (files, replays). Where the source decodes itself and emits
 * {@link Ingested} (Kafka, so per-partition watermarks see event time), split with {@link SplitDeadLetters} instead.
 *
 * <p>Stateless: no assumption about order, lateness or duplicates; a decoder per format is made on first use.
 */
public class DecodeFunction extends ProcessFunction<RawRecord, Telemetry> {
    private static final long serialVersionUID = 1L;

    /** Where dead letters go. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {
        private static final long serialVersionUID = 1L;
    };

    private final IngestLimits limits;

    private transient Map<String, TelemetryDecoder> decoders;
    /** Package-private for tests. */
    transient IngestMetrics metrics;

    public DecodeFunction() {
        this(IngestLimits.defaults());
    }

    public DecodeFunction(IngestLimits limits) {
        this.limits = limits;
    }

    @Override
    public void open(OpenContext openContext) {
        decoders = new HashMap<>();
        metrics = new IngestMetrics(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<Telemetry> out) {
        metrics.recordsIn.inc();
        TelemetryDecoder decoder = decoder(raw.format);
        if (decoder == null) {
            emitDead(
                    ctx,
                    new DeadLetter(
                            raw.payload == null ? new byte[0] : raw.payload,
                            raw.origin,
                            raw.format,
                            Reasons.UNKNOWN_FORMAT,
                            Reasons.detail("unknown input format " + Reasons.quote(String.valueOf(raw.format))
                                    + "; valid formats: " + String.join(", ", Decoders.FORMATS))));
            return;
        }
        Decoders.decodeSafely(decoder, raw.payload, raw.origin, (Ingested i) -> {
            if (i.isDead()) {
                emitDead(ctx, i.deadLetter);
            } else {
                metrics.telemetryOut.inc();
                out.collect(i.telemetry);
            }
        });
    }

    private void emitDead(Context ctx, DeadLetter d) {
        metrics.deadLetters(d.reason).inc();
        ctx.output(DEAD_LETTERS, d);
    }

    private TelemetryDecoder decoder(String format) {
        String key = format == null ? "" : format;
        TelemetryDecoder d = decoders.get(key);
        if (d == null && !decoders.containsKey(key)) {
            try {
                d = Decoders.forFormat(format, limits);
            } catch (IllegalArgumentException e) {
                d = null; // remembered, so a stream of bad format names does not rebuild the message each time
            }
            decoders.put(key, d);
        }
        return d;
    }
}
