package io.vigil.ingest.file;

import io.vigil.ingest.Decoders;
import io.vigil.ingest.IngestLimits;
import io.vigil.ingest.Reasons;
import io.vigil.ingest.TelemetryDecoder;
import io.vigil.model.DeadLetter;
import io.vigil.model.Ingested;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Reads recorded telemetry files for replays: one record per line for {@code json} and {@code otlp-json} (JSON lines,
 * as the OpenTelemetry Collector's file exporter writes them), and for {@code otlp-proto} each export request prefixed
 * by its length as a 4-byte big-endian integer (the file exporter's {@code proto} format). Every record is decoded by
 * the same decoders as Kafka's; a bad one becomes a dead letter whose origin is {@code file:PATH:LINE} (or
 * {@code file:PATH#RECORD} for protobuf).
 */
public final class TelemetryFileFormat extends SimpleStreamFormat<Ingested> {
    private static final long serialVersionUID = 1L;

    private final String format;
    private final String path;
    private final IngestLimits limits;

    public TelemetryFileFormat(String format, String path, IngestLimits limits) {
        Decoders.forFormat(format, limits); // fails fast on an unknown format, with the list of valid ones
        this.format = format;
        this.path = path;
        this.limits = limits;
    }

    @Override
    public StreamFormat.Reader<Ingested> createReader(Configuration config, FSDataInputStream stream) {
        return new Reader(
                Decoders.forFormat(format, limits),
                format.startsWith("otlp-proto"),
                format,
                path,
                new BufferedInputStream(stream, 1 << 16));
    }

    @Override
    public TypeInformation<Ingested> getProducedType() {
        return TypeInformation.of(Ingested.class);
    }

    private static final class Reader implements StreamFormat.Reader<Ingested> {
        private final TelemetryDecoder decoder;
        private final boolean lengthPrefixed;
        private final String format;
        private final String path;
        private final InputStream in;
        /** Frames above the record limit are still read whole, so the decoder's oversize dead letter keeps them. */
        private static final int MAX_FRAME_BYTES = 256 << 20;

        private final ArrayDeque<Ingested> pending = new ArrayDeque<>();
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private long record;
        private boolean eof;

        Reader(TelemetryDecoder decoder, boolean lengthPrefixed, String format, String path, InputStream in) {
            this.decoder = decoder;
            this.lengthPrefixed = lengthPrefixed;
            this.format = format;
            this.path = path;
            this.in = in;
        }

        @Override
        public Ingested read() throws IOException {
            while (pending.isEmpty() && !eof) {
                if (lengthPrefixed) {
                    readFrame();
                } else {
                    readLine();
                }
            }
            return pending.poll();
        }

        private void readLine() throws IOException {
            line.reset();
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                line.write(b);
            }
            if (b == -1) {
                eof = true;
                if (line.size() == 0) {
                    return;
                }
            }
            record++;
            byte[] bytes = line.toByteArray();
            if (isBlank(bytes)) {
                return;
            }
            Decoders.decodeSafely(decoder, bytes, "file:" + path + ":" + record, pending::add);
        }

        private void readFrame() throws IOException {
            byte[] prefix = new byte[4];
            int got = in.readNBytes(prefix, 0, 4);
            if (got == 0) {
                eof = true;
                return;
            }
            record++;
            String origin = "file:" + path + "#" + record;
            if (got < 4) {
                pending.add(Ingested.dead(new DeadLetter(
                        Arrays.copyOf(prefix, got),
                        origin,
                        format,
                        Reasons.PARSE_ERROR,
                        "file ends inside the 4-byte length prefix of a record (" + got + " bytes of it)")));
                eof = true;
                return;
            }
            int length = ByteBuffer.wrap(prefix).getInt();
            if (length < 0 || length > MAX_FRAME_BYTES) {
                // Not a length a writer produces: the framing is broken and nothing after it can be trusted.
                pending.add(Ingested.dead(new DeadLetter(
                        prefix,
                        origin,
                        format,
                        Reasons.PARSE_ERROR,
                        "length prefix " + length + " is not a plausible record length (0.." + MAX_FRAME_BYTES
                                + "); the file is not length-prefixed OTLP protobuf or is corrupt, the rest of it "
                                + "is not read")));
                eof = true;
                return;
            }
            byte[] bytes = new byte[length];
            int read = in.readNBytes(bytes, 0, length);
            if (read < length) {
                pending.add(Ingested.dead(new DeadLetter(
                        Arrays.copyOf(bytes, read),
                        origin,
                        format,
                        Reasons.PARSE_ERROR,
                        "file ends inside a record of " + length + " bytes (" + read + " bytes of it)")));
                eof = true;
                return;
            }
            Decoders.decodeSafely(decoder, bytes, origin, pending::add);
        }

        private static boolean isBlank(byte[] b) {
            for (byte x : b) {
                if (x != ' ' && x != '\t' && x != '\r') {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
