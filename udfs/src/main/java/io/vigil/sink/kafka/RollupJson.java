package io.vigil.sink.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.model.Rollup;
import java.io.UncheckedIOException;

/**
 * The rollup record, schema version 1:
 * <pre>{"schema":"vigil.rollup/1","metric":"request_rate_per_second","service":"checkout","labels":{...},
 * "window_start":...,"window_end":...,"value":12.5,"count":750}</pre>
 */
public final class RollupJson {
    public static final String SCHEMA = "vigil.rollup/1";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RollupJson() {}

    public static byte[] toBytes(Rollup r) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("schema", SCHEMA);
        n.put("metric", r.metric);
        n.put("service", r.service);
        ObjectNode labels = n.putObject("labels");
        r.labels.forEach(labels::put);
        n.put("window_start", r.windowStart);
        n.put("window_end", r.windowEnd);
        n.put("value", r.value);
        n.put("count", r.count);
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
