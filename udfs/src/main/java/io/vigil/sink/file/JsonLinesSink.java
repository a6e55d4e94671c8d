package io.vigil.sink.file;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Writes each element as one line of JSON to a local file: the demo's and replay's output, read by people, notebooks
 * and {@code jq}. Subtask 0 writes {@code <file>}, others {@code <file>.<subtask>} (run it with parallelism 1 to get
 * one file). The file is truncated when the writer starts and flushed on every checkpoint and at end of input.
 *
 * <p>Not exactly-once and not for clusters (where Flink's FileSink or Kafka belongs): it exists because a bounded local
 * run wants one plain, readable file per stream, which FileSink's part files and in-progress renames do not give.
 */
public final class JsonLinesSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final SerializableFunction<T, byte[]> encoder;

    public JsonLinesSink(Path file, SerializableFunction<T, byte[]> encoder) {
        this.file = file.toAbsolutePath().toString();
        this.encoder = encoder;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        Path path = Path.of(subtask == 0 ? file : file + "." + subtask);
        Files.createDirectories(path.toAbsolutePath().getParent());
        return new Writer<>(
                Files.newOutputStream(
                        path,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE),
                encoder);
    }

    private static final class Writer<T> implements SinkWriter<T> {
        private final OutputStream out;
        private final SerializableFunction<T, byte[]> encoder;

        Writer(OutputStream out, SerializableFunction<T, byte[]> encoder) {
            this.out = new BufferedOutputStream(out, 1 << 16);
            this.encoder = encoder;
        }

        @Override
        public void write(T element, Context context) throws IOException {
            out.write(encoder.apply(element));
            out.write('\n');
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
