package io.vigil.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.vigil.model.MetricType;
import io.vigil.model.Telemetry;
import io.vigil.model.TelemetryJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The JSON Schema of the canonical format agrees with the writer and the decoder. */
class TelemetrySchemaTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static JsonNode schemaJson;
    private static Schema schema;

    @BeforeAll
    static void load() throws IOException {
        schemaJson = MAPPER.readTree(OtlpDecoderTest.resource("schema/telemetry.schema.json"));
        schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(schemaJson);
    }

    @Test
    void schemaIsDraft202012AndListsTheFieldsTheDecoderKnows() {
        assertEquals(
                "https://json-schema.org/draft/2020-12/schema",
                schemaJson.get("$schema").asText());
        Set<String> inSchema = new TreeSet<>();
        schemaJson.get("properties").fieldNames().forEachRemaining(inSchema::add);
        assertEquals(new TreeSet<>(CanonicalJsonDecoder.FIELDS), inSchema);
    }

    @Test
    void recordsAsTheWriterWritesThemAreValid() throws IOException {
        long t = OtlpSamples.T_MS;
        Telemetry histogram = Telemetry.metric(t, "checkout", "http.server.request.duration", 0.2)
                .attr("http.route", "/pay");
        histogram.metricType = MetricType.HISTOGRAM;
        histogram.count = 5;
        histogram.sum = 1;
        histogram.max = 0.5;
        histogram.unit = "s";
        Telemetry span = Telemetry.span(t, "cart", "GET /cart", 12.5, "ok");
        span.traceId = OtlpSamples.TRACE_ID;
        span.spanId = OtlpSamples.SPAN_ID;
        List<Telemetry> samples = List.of(
                Telemetry.metric(t, "checkout", "system.cpu.utilization", 0.4).res("host.name", "web-1"),
                histogram,
                Telemetry.log(t, "auth", "WARN", "Failed password for root from 10.0.0.7")
                        .attr("source.ip", "10.0.0.7"),
                span,
                Telemetry.event(t, "deployer", "deployment.finished").attr("service.version", "1.4.2"));
        for (Telemetry s : samples) {
            String json = TelemetryJson.write(s);
            List<Error> errors = schema.validate(MAPPER.readTree(json));
            assertTrue(errors.isEmpty(), json + " -> " + errors);
        }
    }

    @Test
    void schemaRejectsWhatTheDecoderRejects() throws IOException {
        List<String> accepted = new ArrayList<>();
        for (String file : List.of(
                "wrong-type-value.json",
                "wrong-type-resource.json",
                "wrong-type-attribute.json",
                "missing-timestamp.json",
                "zero-timestamp.json",
                "past-timestamp.json",
                "unknown-signal.json",
                "missing-signal.json",
                "metric-without-value.json",
                "bad-trace-id.json",
                "unknown-severity.json")) {
            JsonNode record = MAPPER.readTree(OtlpDecoderTest.resource("badrecords/" + file));
            if (schema.validate(record).isEmpty()) {
                accepted.add(file);
            }
        }
        assertTrue(accepted.isEmpty(), "the schema accepts " + accepted);
        assertFalse(CanonicalJsonDecoder.FIELDS.isEmpty());
    }
}
