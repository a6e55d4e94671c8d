package io.vigil.ingest;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.Locale;

/**
 * The three OTLP signals as the Collector's Kafka exporter writes them, one export request per Kafka record.
 *
 * <p>{@code ExportLogsServiceRequest}, {@code ExportMetricsServiceRequest} and {@code ExportTraceServiceRequest} are
 * wire-compatible with {@link LogsData}, {@link MetricsData} and {@link TracesData} (each has only field 1, the repeated
 * resource entries), so the decoders parse the {@code *Data} messages. Field 1 is the same number for all three, which
 * is why a protobuf record cannot say which signal it holds: the format name carries it ({@code otlp-proto:logs}) or
 * the decoder guesses from the nested layout.
 */
enum OtlpSignal {
    LOGS("resourceLogs", "resource_logs", LogsData.getDescriptor()),
    METRICS("resourceMetrics", "resource_metrics", MetricsData.getDescriptor()),
    TRACES("resourceSpans", "resource_spans", TracesData.getDescriptor());

    /** The top-level key in OTLP/JSON (lowerCamelCase) and its proto name, which the JSON mapping also accepts. */
    final String jsonKey;

    final String protoKey;
    final Descriptor descriptor;

    OtlpSignal(String jsonKey, String protoKey, Descriptor descriptor) {
        this.jsonKey = jsonKey;
        this.protoKey = protoKey;
        this.descriptor = descriptor;
    }

    String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    Message.Builder newBuilder() {
        switch (this) {
            case LOGS:
                return LogsData.newBuilder();
            case METRICS:
                return MetricsData.newBuilder();
            default:
                return TracesData.newBuilder();
        }
    }

    Message parse(byte[] bytes) throws InvalidProtocolBufferException {
        switch (this) {
            case LOGS:
                return LogsData.parseFrom(bytes);
            case METRICS:
                return MetricsData.parseFrom(bytes);
            default:
                return TracesData.parseFrom(bytes);
        }
    }

    /** The signal whose top-level JSON key this is, or null. */
    static OtlpSignal ofJsonKey(String key) {
        for (OtlpSignal s : values()) {
            if (s.jsonKey.equals(key) || s.protoKey.equals(key)) {
                return s;
            }
        }
        return null;
    }

    static OtlpSignal ofWireName(String name) {
        for (OtlpSignal s : values()) {
            if (s.wireName().equals(name)) {
                return s;
            }
        }
        return null;
    }
}
