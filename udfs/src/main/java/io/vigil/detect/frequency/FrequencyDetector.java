package io.vigil.detect.frequency;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vigil.detect.Detector;
import io.vigil.detect.DetectorContext;
import io.vigil.detect.Incidents;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Counts matching records per key in buckets of {@code resolution} (never a list of events, so state stays small in a
 * burst of any size) and judges the window that ends at each bucket once the watermark has passed it, so out-of-order
 * records within the watermark delay count where they belong. Records behind the watermark are counted as late.
 *
 * <p>A burst opens one incident through the rule's incident lifecycle ({@link Incidents}, with {@code for} and
 * {@code keep_firing_for}); while it holds, a timer at the moment the newest bucket leaves the window makes sure the
 * incident resolves when the records stop coming.
 */
final class FrequencyDetector implements Detector {
    private static final MapStateDescriptor<Long, Long> BUCKETS =
            new MapStateDescriptor<>("frequency.buckets", Types.LONG, Types.LONG);
    private static final ValueStateDescriptor<String> INCIDENT =
            new ValueStateDescriptor<>("frequency.incident", Types.STRING);
    private static final ListStateDescriptor<String> SAMPLES =
            new ListStateDescriptor<>("frequency.samples", Types.STRING);
    private static final ValueStateDescriptor<Integer> SAMPLE_COUNT =
            new ValueStateDescriptor<>("frequency.sampleCount", Types.INT);

    private static final JsonFactory JSON = new JsonFactory();

    private final long threshold;
    private final long window;
    private final long resolution;
    private final int evidence;

    FrequencyDetector(long threshold, long window, long resolution, int evidence) {
        this.threshold = threshold;
        this.window = window;
        this.resolution = resolution;
        this.evidence = evidence;
    }

    @Override
    public List<StateDescriptor<?, ?>> state() {
        return List.of(BUCKETS, INCIDENT, SAMPLES, SAMPLE_COUNT, Incidents.TIMING);
    }

    @Override
    public void onRecord(Telemetry t, DetectorContext ctx) throws Exception {
        // A bucket holds the records of (end - resolution, end]; the window ending at `end` is judged at `end`.
        long end = Math.floorDiv(t.timestamp, resolution) * resolution + resolution - 1;
        if (end <= ctx.currentWatermark()) {
            ctx.late();
            return;
        }
        MapState<Long, Long> buckets = ctx.mapState(BUCKETS);
        Long n = buckets.get(end);
        buckets.put(end, n == null ? 1 : n + 1);
        if (n == null) {
            ctx.registerTimer(end);
        }
        // Evidence: the first records of the current burst (cleared when the key goes quiet).
        ValueState<Integer> sampled = ctx.state(SAMPLE_COUNT);
        int s = sampled.value() == null ? 0 : sampled.value();
        if (s < evidence) {
            ctx.listState(SAMPLES).add(TelemetryJson.write(t));
            sampled.update(s + 1);
        }
    }

    @Override
    public void onTimer(long timestamp, DetectorContext ctx) throws Exception {
        MapState<Long, Long> buckets = ctx.mapState(BUCKETS);
        long count = 0;
        List<Long> expired = new ArrayList<>();
        long newest = Long.MIN_VALUE;
        boolean later = false;
        for (Map.Entry<Long, Long> e : buckets.entries()) {
            long b = e.getKey();
            if (b <= timestamp - window) {
                expired.add(b);
            } else if (b <= timestamp) {
                count += e.getValue();
                newest = Math.max(newest, b);
            } else {
                later = true;
            }
        }
        for (Long b : expired) {
            buckets.remove(b);
        }
        ValueState<String> incident = ctx.state(INCIDENT);
        long start = timestamp + 1 - window;
        List<String> inWindow = samples(start, timestamp, ctx);
        if (!later && newest != Long.MIN_VALUE) {
            // No later bucket has a timer: judge once more when the newest bucket leaves the window, so the buckets
            // (and samples) of a key that goes quiet below the threshold expire instead of staying forever.
            ctx.registerTimer(newest + window);
        }
        boolean burst = count >= threshold;
        switch (Incidents.judge(ctx, incident, burst, timestamp + 1)) {
            case FIRE:
                Alert a = ctx.newAlert(start, timestamp + 1, count, threshold, ">=");
                a.evidence.addAll(inWindow);
                Incidents.fire(ctx, incident, a);
                break;
            case RESOLVE:
                Incidents.resolve(ctx, incident, start, timestamp + 1, count, threshold, ">=");
                break;
            default:
                break;
        }
        if (burst) {
            ctx.registerTimer(newest + window);
        }
        if (Incidents.awaitingJudgment(ctx, incident)) {
            // Pending: judge each bucket end, records or not, until `for` has passed or the burst ended. Kept firing:
            // judge when keep_firing_for runs out (a new burst before then is judged at its own buckets).
            long kept = Incidents.keptFiringUntil(ctx, incident);
            ctx.registerTimer(kept != Long.MIN_VALUE ? Math.max(kept - 1, timestamp + 1) : timestamp + resolution);
        }
        if (buckets.isEmpty()) {
            ctx.listState(SAMPLES).clear();
            ctx.state(SAMPLE_COUNT).clear();
        }
    }

    /**
     * The samples within the judged window [start, end]. Samples older than the window can never be evidence again and
     * are dropped, so a key with a steady trickle of records (its buckets never all expire) keeps room for the
     * records of its next burst instead of showing stale ones.
     */
    private List<String> samples(long start, long end, DetectorContext ctx) throws Exception {
        ListState<String> samples = ctx.listState(SAMPLES);
        List<String> kept = new ArrayList<>();
        List<String> inWindow = new ArrayList<>();
        int before = 0;
        for (String s : samples.get()) {
            before++;
            long ts = timestampOf(s);
            if (ts >= start) {
                kept.add(s);
                if (ts <= end) {
                    inWindow.add(s);
                }
            }
        }
        if (kept.size() != before) {
            samples.update(kept);
            ctx.state(SAMPLE_COUNT).update(kept.size());
        }
        return inWindow;
    }

    /** The event time of a sample written by {@link TelemetryJson#write}; reads only up to that field. */
    static long timestampOf(String json) throws java.io.IOException {
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Long.MIN_VALUE;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("timestamp") && value == JsonToken.VALUE_NUMBER_INT) {
                    return p.getLongValue();
                }
                p.skipChildren();
            }
            return Long.MIN_VALUE;
        }
    }
}
