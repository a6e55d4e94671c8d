package io.vigil.soak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The soak's CSV: {@code time} (ISO-8601 UTC), {@code elapsed_s}, then one column per {@link Curve}; an unknown value is
 * an empty cell. Rows are appended and flushed as they are sampled, so a soak that is stopped early keeps its data, and
 * {@link #read} gives them back for {@code vigil soak --report}.
 */
public final class SoakCsv implements AutoCloseable {
    private final Writer out;

    /** Creates (or replaces) the file and writes the header. */
    public SoakCsv(Path file) throws IOException {
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        out.write(header());
        out.write('\n');
        out.flush();
    }

    public static String header() {
        StringBuilder b = new StringBuilder("time,elapsed_s");
        for (Curve c : Curve.values()) b.append(',').append(c.column);
        return b.toString();
    }

    public static String row(SoakSample s) {
        StringBuilder b = new StringBuilder(s.time().toString());
        b.append(',').append(String.format(Locale.ROOT, "%.1f", s.elapsedSeconds()));
        for (Curve c : Curve.values()) {
            double v = s.value(c);
            b.append(',');
            if (!Double.isNaN(v)) b.append(String.format(Locale.ROOT, "%.3f", v));
        }
        return b.toString();
    }

    public void append(SoakSample s) {
        try {
            out.write(row(s));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /**
     * The samples of a soak CSV. Columns are found by name, so a file with fewer curves (an older soak) still reads;
     * a malformed line is reported with its line number.
     */
    public static List<SoakSample> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) throw new IOException(file + ": empty, expected the header " + header());
        String[] head = lines.get(0).split(",", -1);
        if (head.length < 2 || !head[0].equals("time") || !head[1].equals("elapsed_s")) {
            throw new IOException(file + ":1: not a soak CSV header (expected it to start with time,elapsed_s)");
        }
        List<SoakSample> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) continue;
            String[] cells = line.split(",", -1);
            if (cells.length != head.length) {
                throw new IOException(
                        file + ":" + (i + 1) + ": " + cells.length + " cells, the header has " + head.length);
            }
            try {
                Map<Curve, Double> values = new EnumMap<>(Curve.class);
                for (int k = 2; k < head.length; k++) {
                    Curve c = Curve.ofColumn(head[k]);
                    if (c != null && !cells[k].isEmpty()) values.put(c, Double.parseDouble(cells[k]));
                }
                out.add(new SoakSample(Instant.parse(cells[0]), Double.parseDouble(cells[1]), values));
            } catch (NumberFormatException | DateTimeParseException e) {
                throw new IOException(file + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return out;
    }
}
