package io.vigil.privacy;

import java.util.ArrayList;
import java.util.List;

/** The matches found in one text, in the order detectors claimed them; a span that overlaps a claimed one is refused. */
final class Spans {
    final List<TextDetector> detectors = new ArrayList<>(4);
    /** start, end pairs. */
    int[] bounds = new int[8];

    int size() {
        return detectors.size();
    }

    void clear() {
        detectors.clear();
    }

    void add(TextDetector d, int start, int end) {
        int n = detectors.size();
        for (int k = 0; k < n; k++) {
            if (start < bounds[2 * k + 1] && bounds[2 * k] < end) {
                return;
            }
        }
        if (2 * n + 2 > bounds.length) {
            bounds = java.util.Arrays.copyOf(bounds, bounds.length * 2);
        }
        bounds[2 * n] = start;
        bounds[2 * n + 1] = end;
        detectors.add(d);
    }

    int start(int k) {
        return bounds[2 * k];
    }

    int end(int k) {
        return bounds[2 * k + 1];
    }

    /** Indexes of the spans ordered by start. */
    int[] byStart() {
        int n = detectors.size();
        Integer[] idx = new Integer[n];
        for (int k = 0; k < n; k++) {
            idx[k] = k;
        }
        java.util.Arrays.sort(idx, (a, b) -> Integer.compare(bounds[2 * a], bounds[2 * b]));
        int[] out = new int[n];
        for (int k = 0; k < n; k++) {
            out[k] = idx[k];
        }
        return out;
    }
}
