package io.vigil.detect.threshold;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tdunning.math.stats.MergingDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Window percentiles from stored centroids equal, bit for bit, those merged from read-back compact digests. */
class PaneDigestTest {
    private static final double[] QUANTILES = {0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999};

    @Test
    void aWindowMergedFromStoredCentroidsEqualsOneMergedFromCompactDigests() {
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 200; trial++) {
            List<MergingDigest> panes = new ArrayList<>();
            for (int p = 0, n = 1 + random.nextInt(6); p < n; p++) {
                MergingDigest d = new MergingDigest(Pane.DIGEST_COMPRESSION);
                for (int i = 0, values = 1 + random.nextInt(trial % 3 == 0 ? 5 : 3_000); i < values; i++) {
                    d.add(trial % 2 == 0 ? random.nextDouble() * 1000 : Math.exp(random.nextGaussian() * 2));
                }
                panes.add(d);
            }
            MergingDigest before = new MergingDigest(Pane.DIGEST_COMPRESSION);
            MergingDigest after = new MergingDigest(Pane.DIGEST_COMPRESSION);
            for (MergingDigest d : panes) {
                before.add(Pane.fromBytes(Pane.toBytes(d)));
                PaneDigest.addTo(after, PaneDigest.encode(d));
            }
            for (double q : QUANTILES) {
                assertEquals(
                        Double.doubleToRawLongBits(before.quantile(q)),
                        Double.doubleToRawLongBits(after.quantile(q)),
                        "trial " + trial + ", quantile " + q);
            }
        }
    }

    @Test
    void aStoredDigestDecodesToTheCompactOneAndBareCompactBytesAreStillRead() {
        MergingDigest d = new MergingDigest(Pane.DIGEST_COMPRESSION);
        for (int i = 0; i < 500; i++) {
            d.add(i * 0.37);
        }
        byte[] compact = Pane.toBytes(d);
        for (byte[] stored : List.of(PaneDigest.encode(d), compact)) {
            MergingDigest decoded = PaneDigest.decode(stored);
            assertEquals(Pane.fromBytes(compact).quantile(0.95), decoded.quantile(0.95));
            MergingDigest window = new MergingDigest(Pane.DIGEST_COMPRESSION);
            PaneDigest.addTo(window, stored);
            MergingDigest expected = new MergingDigest(Pane.DIGEST_COMPRESSION);
            expected.add(Pane.fromBytes(compact));
            assertEquals(expected.quantile(0.5), window.quantile(0.5));
        }
    }
}
