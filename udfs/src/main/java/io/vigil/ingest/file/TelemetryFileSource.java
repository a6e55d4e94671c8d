package io.vigil.ingest.file;

import io.vigil.ingest.IngestLimits;
import io.vigil.job.TelemetrySource;
import io.vigil.model.Ingested;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Recorded telemetry files as a bounded job source, for replays and backtests. A folder means every regular file in
 * it (recursively, in name order, skipping hidden files). Each file is its own source so that dead letters can name
 * the file and line, and so that each file's event time advances on its own (the job's watermark is their minimum).
 */
public final class TelemetryFileSource implements TelemetrySource {
    private static final long serialVersionUID = 1L;

    private final List<String> files;
    private final String format;
    private final IngestLimits limits;

    public TelemetryFileSource(List<Path> inputs, String format, IngestLimits limits) {
        this.files = expand(inputs);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no input files in " + inputs);
        }
        new TelemetryFileFormat(format, files.get(0), limits); // validates the format name
        this.format = format;
        this.limits = limits;
    }

    public List<String> files() {
        return files;
    }

    @Override
    public DataStream<Ingested> create(StreamExecutionEnvironment env, WatermarkStrategy<Ingested> watermarks) {
        DataStream<Ingested> all = null;
        for (int i = 0; i < files.size(); i++) {
            String f = files.get(i);
            FileSource<Ingested> source = FileSource.forRecordStreamFormat(
                            new TelemetryFileFormat(format, f, limits),
                            new org.apache.flink.core.fs.Path(Path.of(f).toUri()))
                    .build();
            DataStream<Ingested> s = env.fromSource(
                            source, watermarks, "File " + Path.of(f).getFileName())
                    .uid("file-" + i)
                    .setParallelism(1);
            all = all == null ? s : all.union(s);
        }
        return all;
    }

    private static List<String> expand(List<Path> inputs) {
        List<String> out = new ArrayList<>();
        for (Path in : inputs) {
            if (!Files.exists(in)) {
                throw new IllegalArgumentException("input " + in + " does not exist");
            }
            if (Files.isDirectory(in)) {
                try (Stream<Path> walk = Files.walk(in)) {
                    walk.filter(Files::isRegularFile)
                            .filter(p -> !p.getFileName().toString().startsWith("."))
                            .sorted()
                            .forEach(p -> out.add(p.toAbsolutePath().toString()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                out.add(in.toAbsolutePath().toString());
            }
        }
        return out;
    }
}
