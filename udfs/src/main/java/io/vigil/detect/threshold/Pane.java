package io.vigil.detect.threshold;

import com.tdunning.math.stats.MergingDigest;
import io.vigil.model.DoubleListTypeInfo;
import io.vigil.model.StringListTypeInfo;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The aggregate of one slide-long slice of a window: count, sum, min, max, a t-digest when the rule asks for a
 * percentile, and the most extreme records as evidence. A sliding window is the merge of its panes, so each record is
 * added once however many windows it belongs to. A Flink POJO.
 */
public class Pane {
    static final double DIGEST_COMPRESSION = 100;
    static final int FOLD = 128;

    public long count;
    public double sum;
    public double min = Double.POSITIVE_INFINITY;
    public double max = Double.NEGATIVE_INFINITY;
    /** t-digest in its compact byte form; null unless the rule aggregates a percentile. */
    public byte[] digest;

    /**
     * Values not yet folded into {@link #digest}: they are folded {@value #FOLD} at a time, and when the pane is
     * judged. Decoding and re-encoding the digest for every record was the detectors' largest cost in a profile
     * (28% of the job's CPU with five p95 rules).
     */
    @TypeInfo(DoubleListTypeInfo.class)
    public List<Double> pending = new ArrayList<>();

    @TypeInfo(StringListTypeInfo.class)
    public List<String> samples = new ArrayList<>();

    @TypeInfo(DoubleListTypeInfo.class)
    public List<Double> sampleValues = new ArrayList<>();

    public Pane() {}

    void add(double v, boolean percentile) {
        count++;
        sum += v;
        min = Math.min(min, v);
        max = Math.max(max, v);
        if (percentile) {
            pending.add(v);
            if (pending.size() >= FOLD) {
                fold();
            }
        }
    }

    /** The pane's digest with every value added so far; null when none was. */
    MergingDigest digest() {
        fold();
        return digest == null ? null : fromBytes(digest);
    }

    private void fold() {
        if (pending.isEmpty()) {
            return;
        }
        MergingDigest d = digest == null ? new MergingDigest(DIGEST_COMPRESSION) : fromBytes(digest);
        for (double p : pending) {
            d.add(p);
        }
        digest = toBytes(d);
        pending.clear();
    }

    static MergingDigest fromBytes(byte[] b) {
        return MergingDigest.fromBytes(ByteBuffer.wrap(b));
    }

    static byte[] toBytes(MergingDigest d) {
        ByteBuffer buf = ByteBuffer.allocate(d.smallByteSize());
        d.asSmallBytes(buf);
        return buf.array();
    }
}
