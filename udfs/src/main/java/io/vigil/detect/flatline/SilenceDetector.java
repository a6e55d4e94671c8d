package io.vigil.detect.flatline;

import io.vigil.alert.Templates;
import io.vigil.detect.Detector;
import io.vigil.detect.DetectorContext;
import io.vigil.detect.Incidents;
import io.vigil.model.Alert;
import io.vigil.model.Telemetry;
import io.vigil.rules.Durations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Flatline by silence. State per key: record counts per {@code resolution} bucket for one window (at most
 * window/resolution + 1 entries, 11 by default), when the key was first and last seen, and the open incident.
 *
 * <p>The window ending at each bucket boundary is judged by an event-time timer, and the timers go on from boundary
 * to boundary while the window holds records, so the first boundary at which the window holds fewer than
 * {@code min_count} records fires, records or not: a key that stops sending alerts once the watermark passes its last
 * record plus the window. Nothing is judged before the key has been known for a whole window. The incident resolves
 * at the first boundary whose window holds enough records again. A key silent for {@code expire} is forgotten.
 * Records behind the watermark are counted as late but still show the key is alive in later windows.
 */
final class SilenceDetector implements Detector {
    static final MapStateDescriptor<Long, Long> BUCKETS =
            new MapStateDescriptor<>("flatline.buckets", Types.LONG, Types.LONG);
    /** {first seen, last seen} in event time. */
    private static final ValueStateDescriptor<long[]> SEEN = new ValueStateDescriptor<>(
            "flatline.seen",
            org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);

    private static final ValueStateDescriptor<String> INCIDENT =
            new ValueStateDescriptor<>("flatline.incident", Types.STRING);

    private final long minCount;
    private final long window;
    private final long resolution;
    private final long expire;

    SilenceDetector(long minCount, long window, long resolution, long expire) {
        this.minCount = minCount;
        this.window = window;
        this.resolution = resolution;
        this.expire = expire;
    }

    @Override
    public List<StateDescriptor<?, ?>> state() {
        return List.of(BUCKETS, SEEN, INCIDENT, Incidents.TIMING);
    }

    @Override
    public void onRecord(Telemetry t, DetectorContext ctx) throws Exception {
        // A bucket holds (end - resolution, end]; the window ending at `end` is judged at `end`.
        long end = Math.floorDiv(t.timestamp, resolution) * resolution + resolution - 1;
        long watermark = ctx.currentWatermark();
        if (end <= watermark) {
            ctx.late();
            if (end <= watermark - window) {
                return; // no window still to judge contains it
            }
        }
        MapState<Long, Long> buckets = ctx.mapState(BUCKETS);
        Long n = buckets.get(end);
        if (n == null && end > watermark) {
            // With the bucket's first record only: on RocksDB each registration is a write, and every later record of
            // the bucket would set the same timer again (a bucket outlives its end, which the watermark only passes).
            ctx.registerTimer(end);
        }
        buckets.put(end, n == null ? 1 : n + 1);
        ValueState<long[]> seen = ctx.state(SEEN);
        long[] s = seen.value();
        if (s == null) {
            s = new long[] {t.timestamp, t.timestamp};
        } else {
            s[0] = Math.min(s[0], t.timestamp);
            s[1] = Math.max(s[1], t.timestamp);
        }
        seen.update(s);
    }

    @Override
    public void onTimer(long timestamp, DetectorContext ctx) throws Exception {
        ValueState<long[]> seen = ctx.state(SEEN);
        long[] s = seen.value();
        if (s == null) {
            return;
        }
        if (timestamp >= s[1] + expire) {
            ctx.mapState(BUCKETS).clear();
            ctx.state(INCIDENT).clear();
            ctx.state(Incidents.TIMING).clear();
            seen.clear();
            return;
        }
        MapState<Long, Long> buckets = ctx.mapState(BUCKETS);
        long count = 0;
        boolean ahead = false;
        List<Long> expired = new ArrayList<>();
        for (Map.Entry<Long, Long> e : buckets.entries()) {
            long b = e.getKey();
            if (b <= timestamp - window) {
                expired.add(b);
            } else if (b <= timestamp) {
                count += e.getValue();
            } else {
                ahead = true;
            }
        }
        for (Long b : expired) {
            buckets.remove(b);
        }
        long start = timestamp + 1 - window;
        ValueState<String> incident = ctx.state(INCIDENT);
        boolean known = timestamp + 1 - s[0] >= window;
        // Until the key has been known for a whole window, silence cannot be told from a key that just appeared.
        boolean silent = known && count < minCount;
        Incidents.Step step = known || count >= minCount
                ? Incidents.judge(ctx, incident, silent, timestamp + 1)
                : Incidents.Step.NONE;
        if (step == Incidents.Step.FIRE) {
            Alert a = ctx.newAlert(start, timestamp + 1, count, minCount, "<");
            a.annotations.put("last_seen", java.time.Instant.ofEpochMilli(s[1]).toString());
            if (!ctx.rule().spec.annotations.containsKey("summary")) {
                a.message = Templates.titled(a, ctx.rule().spec.name, ctx.keyFields())
                        + ": " + count + " records in the last " + Durations.format(window) + " (fewer than "
                        + minCount + "); last seen " + a.annotations.get("last_seen");
            }
            Incidents.fire(ctx, incident, a);
        } else if (step == Incidents.Step.RESOLVE) {
            Incidents.resolve(ctx, incident, start, timestamp + 1, count, minCount, "<");
        }
        if (count > 0 || !known || Incidents.awaitingJudgment(ctx, incident)) {
            ctx.registerTimer(timestamp + resolution); // the window slides on whether records come or not
        } else if (!ahead) {
            // Silent: one timer to forget the key, at a boundary (judging there again changes nothing).
            ctx.registerTimer(Math.floorDiv(timestamp + expire, resolution) * resolution + resolution - 1);
        }
    }
}
