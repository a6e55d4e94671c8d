package io.vigil.detect.threshold;

import com.tdunning.math.stats.MergingDigest;
import io.vigil.model.DoubleListTypeInfo;
import io.vigil.model.StringListTypeInfo;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The aggregate of one slide-long slice of a window as savepoints before the split state layout of
 * {@link ThresholdDetector} hold it: count, sum, min, max, a t-digest when the rule asks for a percentile, and the most
 * extreme records as evidence. Read only to move such panes into the split state; also the digest encoding both use. A
 * Flink POJO.
 */
public class Pane {
    static final double DIGEST_COMPRESSION = 100;

    public long count;
    public double sum;
    public double min = Double.POSITIVE_INFINITY;
    public double max = Double.NEGATIVE_INFINITY;
    /** t-digest in its compact byte form; null unless the rule aggregates a percentile. */
    public byte[] digest;

    /** Values not yet folded into {@link #digest}. */
    @TypeInfo(DoubleListTypeInfo.class)
    public List<Double> pending = new ArrayList<>();

    @TypeInfo(StringListTypeInfo.class)
    public List<String> samples = new ArrayList<>();

    @TypeInfo(DoubleListTypeInfo.class)
    public List<Double> sampleValues = new ArrayList<>();

    public Pane() {}

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
