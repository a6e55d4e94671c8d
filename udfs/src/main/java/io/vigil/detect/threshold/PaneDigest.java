package io.vigil.detect.threshold;

import com.tdunning.math.stats.Centroid;
import com.tdunning.math.stats.MergingDigest;
import java.nio.ByteBuffer;
import java.util.Collection;

/**
 * A pane's t-digest as {@link ThresholdDetector} keeps it in state: the digest's compact bytes, followed by the
 * centroids that those bytes read back as. A window's percentile merges every pane digest in it, once per slide; doing
 * that from the compact bytes alone built a whole {@link MergingDigest} per pane per judgement (arrays for 1,000
 * buffered values each), the largest cost of a percentile rule in a profile. With the centroids stored, a judgement
 * adds them to the window's digest directly: the same means and counts in the same order as
 * {@link MergingDigest#add(com.tdunning.math.stats.TDigest)} of the read-back digest adds, so percentiles are
 * unchanged to the bit. Digests in the bare compact form (state of earlier versions) are still read.
 */
final class PaneDigest {
    /** Marks the layout with centroids; the bare compact form starts with t-digest's encoding code (1 or 2). */
    private static final int WITH_CENTROIDS = 0x76474431;

    private PaneDigest() {}

    /** The stored form of {@code digest}. */
    static byte[] encode(MergingDigest digest) {
        byte[] compact = Pane.toBytes(digest);
        Collection<Centroid> centroids = Pane.fromBytes(compact).centroids();
        ByteBuffer b = ByteBuffer.allocate(12 + compact.length + centroids.size() * 12);
        b.putInt(WITH_CENTROIDS).putInt(compact.length).put(compact).putInt(centroids.size());
        for (Centroid c : centroids) {
            b.putDouble(c.mean()).putInt(c.count());
        }
        return b.array();
    }

    /** The digest stored as {@code stored}, to add values to. */
    static MergingDigest decode(byte[] stored) {
        ByteBuffer b = ByteBuffer.wrap(stored);
        if (b.getInt() != WITH_CENTROIDS) {
            return Pane.fromBytes(stored);
        }
        int length = b.getInt();
        return MergingDigest.fromBytes(ByteBuffer.wrap(stored, 8, length).slice());
    }

    /** Adds the digest stored as {@code stored} to {@code window}, as {@code window.add(decode(stored))} would. */
    static void addTo(MergingDigest window, byte[] stored) {
        ByteBuffer b = ByteBuffer.wrap(stored);
        if (b.getInt() != WITH_CENTROIDS) {
            window.add(Pane.fromBytes(stored));
            return;
        }
        int compactLength = b.getInt();
        b.position(b.position() + compactLength);
        for (int n = b.getInt(); n > 0; n--) {
            window.add(b.getDouble(), b.getInt());
        }
    }
}
