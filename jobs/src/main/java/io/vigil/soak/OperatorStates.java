package io.vigil.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The soak's {@code operators.csv} and {@code savepoints.csv} (each operator chain's share of the sampled checkpoints
 * and savepoints) judged like the curves: when the total state grows, this says which operator's state does.
 */
public final class OperatorStates {
    /** One vertex's state after warm-up: sizes in KB, slope in KB per minute. */
    public record Growth(
            String vertex,
            int samples,
            double firstKb,
            double lastKb,
            double slopeKbPerMinute,
            double relativeChange,
            Flatness.Verdict verdict) {}

    private OperatorStates() {}

    /** Each vertex's samples: {elapsed seconds, state size bytes}, in file order. */
    public static Map<String, List<double[]>> read(Path file) throws IOException {
        Map<String, List<double[]>> out = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 1; i < lines.size(); i++) {
            List<String> cells = cells(lines.get(i));
            if (cells.size() != 6) {
                throw new IOException(file + ":" + (i + 1) + ": " + cells.size() + " cells, expected 6");
            }
            try {
                out.computeIfAbsent(cells.get(3), v -> new ArrayList<>())
                        .add(new double[] {Double.parseDouble(cells.get(1)), Double.parseDouble(cells.get(4))});
            } catch (NumberFormatException e) {
                throw new IOException(file + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Splits a CSV line; a cell in double quotes may hold commas (vertex names do). */
    static List<String> cells(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '"') quoted = !quoted;
            else if (ch == ',' && !quoted) {
                out.add(cell.toString());
                cell.setLength(0);
            } else cell.append(ch);
        }
        out.add(cell.toString());
        return out;
    }

    /** Each vertex that holds state, judged over the samples at or after {@code warmUpSeconds}. */
    public static List<Growth> judge(Map<String, List<double[]>> byVertex, double warmUpSeconds, double tolerance) {
        List<Growth> out = new ArrayList<>();
        for (Map.Entry<String, List<double[]>> e : byVertex.entrySet()) {
            List<double[]> kb = new ArrayList<>();
            for (double[] p : e.getValue()) {
                if (p[0] >= warmUpSeconds) kb.add(new double[] {p[0], p[1] / 1e3});
            }
            Flatness.Trend t = Flatness.Trend.fit(kb);
            if (t.samples() == 0 || t.mean() == 0) continue; // no state after warm-up
            out.add(new Growth(
                    e.getKey(),
                    t.samples(),
                    t.first(),
                    t.last(),
                    t.slopePerMinute(),
                    t.relativeChange(),
                    t.verdict(tolerance)));
        }
        return out;
    }

    /** The vertices as a table, largest last size first. */
    public static String table(String title, List<Growth> growth) {
        List<Growth> sorted = new ArrayList<>(growth);
        sorted.sort((a, b) -> Double.compare(b.lastKb(), a.lastKb()));
        StringBuilder b = new StringBuilder(title).append('\n');
        b.append(String.format(
                Locale.ROOT,
                "%10s %10s %10s %8s  %-9s %s%n",
                "first",
                "last",
                "KB/min",
                "change",
                "verdict",
                "vertex"));
        for (Growth g : sorted) {
            b.append(String.format(
                    Locale.ROOT,
                    "%10.1f %10.1f %10s %8s  %-9s %s%n",
                    g.firstKb(),
                    g.lastKb(),
                    Double.isNaN(g.slopeKbPerMinute()) ? "-" : String.format(Locale.ROOT, "%.2f", g.slopeKbPerMinute()),
                    Double.isNaN(g.relativeChange())
                            ? "-"
                            : String.format(Locale.ROOT, "%+.1f%%", g.relativeChange() * 100),
                    g.verdict().name().toLowerCase(Locale.ROOT).replace('_', ' '),
                    g.vertex()));
        }
        return b.toString();
    }
}
