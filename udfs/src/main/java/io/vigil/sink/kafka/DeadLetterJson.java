package io.vigil.sink.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.model.DeadLetter;
import java.io.UncheckedIOException;
import java.util.Base64;

/**
 * The dead-letter record, schema version 1:
 * <pre>{"schema":"vigil.dead-letter/1","origin":"kafka:telemetry/0@42","format":"json","reason":"parse_error",
 * "detail":"...","rejected_at":1767225600000,"raw_base64":"..."}</pre>
 * The raw bytes are kept whole (base64) so the record can be fixed and replayed.
 */
public final class DeadLetterJson {
    public static final String SCHEMA = "vigil.dead-letter/1";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DeadLetterJson() {}

    public static ObjectNode toJson(DeadLetter d) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("schema", SCHEMA);
        n.put("origin", d.origin);
        n.put("format", d.format);
        n.put("reason", d.reason);
        n.put("detail", d.detail);
        n.put("rejected_at", d.rejectedAt);
        n.put("raw_base64", d.raw == null ? "" : Base64.getEncoder().encodeToString(d.raw));
        return n;
    }

    public static byte[] toBytes(DeadLetter d) {
        try {
            return MAPPER.writeValueAsBytes(toJson(d));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
