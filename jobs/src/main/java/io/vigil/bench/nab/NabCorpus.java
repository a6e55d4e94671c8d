package io.vigil.bench.nab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a NAB-layout corpus: {@code <data>/<category>/<name>.csv} files with a {@code timestamp,value} header and a
 * windows file mapping each {@code category/name.csv} to its {@code [start, end]} timestamps. Every file listed in the
 * windows file must exist and every window edge must be a timestamp of its file (as NAB's scorer requires); anything
 * else is an error that names the file and line.
 */
public final class NabCorpus {
    private static final DateTimeFormatter NAB_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSS]");

    private NabCorpus() {}

    public static List<NabSeries> load(Path dataDir, Path windowsFile) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(windowsFile.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read NAB windows file " + windowsFile + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(windowsFile + ": expected a JSON object of file -> windows");
        }
        List<NabSeries> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            out.add(readSeries(dataDir, e.getKey(), e.getValue(), windowsFile));
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    static long parseTime(String s) {
        return LocalDateTime.parse(s.trim(), NAB_TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    private static NabSeries readSeries(Path dataDir, String name, JsonNode windowsNode, Path windowsFile) {
        Path file = dataDir.resolve(name);
        List<String> ts = new ArrayList<>();
        List<Long> ms = new ArrayList<>();
        List<Double> vs = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file)) {
            String header = r.readLine();
            if (header == null || !header.trim().startsWith("timestamp,value")) {
                throw new IllegalArgumentException(file + ":1: expected header timestamp,value but got " + header);
            }
            String line;
            int lineNo = 1;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",");
                try {
                    ms.add(parseTime(f[0]));
                    vs.add(Double.parseDouble(f[1].trim()));
                    ts.add(f[0].trim());
                } catch (DateTimeParseException | NumberFormatException | ArrayIndexOutOfBoundsException ex) {
                    throw new IllegalArgumentException(
                            file + ":" + lineNo + ": bad row '" + line + "': " + ex.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read NAB data file " + file + " (listed in " + windowsFile + ")", e);
        }
        Map<Long, Integer> index = new HashMap<>();
        for (int i = 0; i < ms.size(); i++) {
            index.putIfAbsent(ms.get(i), i);
        }
        List<int[]> windows = new ArrayList<>();
        for (JsonNode w : windowsNode) {
            int a = edge(index, w.get(0).asText(), name, windowsFile);
            int b = edge(index, w.get(1).asText(), name, windowsFile);
            if (b < a) {
                throw new IllegalArgumentException(
                        windowsFile + ": window " + w + " of " + name + " ends before it starts");
            }
            windows.add(new int[] {a, b});
        }
        windows.sort((x, y) -> Integer.compare(x[0], y[0]));
        long[] epoch = ms.stream().mapToLong(Long::longValue).toArray();
        double[] values = vs.stream().mapToDouble(Double::doubleValue).toArray();
        return new NabSeries(name, List.copyOf(ts), epoch, values, List.copyOf(windows));
    }

    private static int edge(Map<Long, Integer> index, String t, String name, Path windowsFile) {
        Integer i = index.get(parseTime(t));
        if (i == null) {
            throw new IllegalArgumentException(windowsFile + ": window edge " + t + " is not a timestamp of " + name);
        }
        return i;
    }
}
