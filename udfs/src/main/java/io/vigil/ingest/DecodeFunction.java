package io.vigil.ingest;

import io.vigil.model.DeadLetter;
import io.vigil.model.Ingested;
import io.vigil.model.RawRecord;
import io.vigil.model.Telemetry;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.HashMap;
import java.util.Map;

/**
 * Decodes raw records in the format each one names: telemetry goes to the main output, dead letters to the side
 * output {@link #DEAD_LETTERS}. Nothing is dropped and nothing throws: a record in an unknown format is a dead letter
 * too ({@code unknown_format}).
 *
 * <p>Metrics (operator scope): {@code recordsDecoded} (raw records in), {@code telemetryOut} (records emitted) and
 * {@code deadLetters} in a subgroup per reason ({@code reason=parse_error}, ...), which reporters such as Prometheus
 * turn into a {@code reason} label.
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
    private transient Map<String, Counter> deadByReason;
    private transient MetricGroup metrics;
    /** Package-private for tests. */
    transient Counter recordsIn;
    transient Counter telemetryOut;

    public DecodeFunction() {
        this(IngestLimits.defaults());
    }

    public DecodeFunction(IngestLimits limits) {
        this.limits = limits;
    }

    @Override
    public void open(OpenContext openContext) {
        decoders = new HashMap<>();
        deadByReason = new HashMap<>();
        metrics = getRuntimeContext().getMetricGroup();
        recordsIn = metrics.counter("recordsDecoded");
        telemetryOut = metrics.counter("telemetryOut");
        // Registered up front so dashboards see a zero rather than a missing series.
        for (String reason : Reasons.ALL) {
            deadLetterCounter(reason);
        }
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<Telemetry> out) {
        recordsIn.inc();
        TelemetryDecoder decoder = decoder(raw.format);
        if (decoder == null) {
            emitDead(ctx, new DeadLetter(raw.payload, raw.origin, raw.format, Reasons.UNKNOWN_FORMAT,
                    "unknown input format \"" + raw.format + "\"; valid formats: " + String.join(", ", Decoders.FORMATS)));
            return;
        }
        decoder.decode(raw.payload, raw.origin, (Ingested i) -> {
            if (i.isDead()) {
                emitDead(ctx, i.deadLetter);
            } else {
                telemetryOut.inc();
                out.collect(i.telemetry);
            }
        });
    }

    private void emitDead(Context ctx, DeadLetter d) {
        deadLetterCounter(d.reason).inc();
        ctx.output(DEAD_LETTERS, d);
    }

    private TelemetryDecoder decoder(String format) {
        String key = format == null ? "" : format;
        TelemetryDecoder d = decoders.get(key);
        if (d == null && !decoders.containsKey(key)) {
            try {
                d = Decoders.forFormat(format, limits);
            } catch (IllegalArgumentException e) {
                d = null;
            }
            decoders.put(key, d);
        }
        return d;
    }

    /** The dead-letter counter of one reason (package-private for tests). */
    Counter deadLetterCounter(String reason) {
        return deadByReason.computeIfAbsent(reason, r -> metrics.addGroup("reason", r).counter("deadLetters"));
    }
}
