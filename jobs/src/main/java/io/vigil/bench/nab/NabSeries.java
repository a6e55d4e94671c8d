package io.vigil.bench.nab;

import java.util.List;

/**
 * One NAB data file: its corpus-relative name ({@code category/name.csv}), rows in file order and its labelled anomaly
 * windows as inclusive row-index pairs.
 *
 * @param name       corpus-relative path, e.g. {@code realKnownCause/nyc_taxi.csv}
 * @param timestamps the timestamp column as written in the file
 * @param epochMs    the same timestamps as epoch milliseconds (UTC)
 * @param values     the value column
 * @param windows    each window as {@code {firstRow, lastRow}}, in time order
 */
public record NabSeries(String name, List<String> timestamps, long[] epochMs, double[] values, List<int[]> windows) {
    public int size() {
        return values.length;
    }

    /** 1 for rows inside a window, else 0 (NAB's label column). */
    public int[] labels() {
        int[] l = new int[values.length];
        for (int[] w : windows) {
            for (int i = w[0]; i <= w[1]; i++) {
                l[i] = 1;
            }
        }
        return l;
    }

    public String category() {
        int slash = name.indexOf('/');
        return slash < 0 ? "" : name.substring(0, slash);
    }
}
