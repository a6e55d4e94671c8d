package io.vigil.sink.search;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vigil.model.Rollup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rollups as documents in daily indices {@code <prefix>-rollups-yyyy.MM.dd} by window start, with
 * {@code seriesId@windowStart} as document id. ECS names where they exist:
 * <pre>{"@timestamp":"...","service":{"name":"checkout"},"labels":{"window":"1m",...},
 *  "event":{"start":"...","end":"..."},"vigil":{"schema_version":1,"metric":"error_ratio","series_id":"...",
 *  "value":0.01,"count":750,"window_start":...,"window_end":...}}</pre>
 */
public class RollupDocuments implements SearchDocuments<Rollup> {
    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = new JsonFactory();

    private final String prefix;

    public RollupDocuments(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public String index(Rollup r) {
        return prefix + "-rollups-" + AlertDocuments.DAY.format(Instant.ofEpochMilli(r.windowStart));
    }

    @Override
    public String id(Rollup r) {
        return r.seriesId() + "@" + r.windowStart;
    }

    @Override
    public byte[] source(Rollup r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("@timestamp", Instant.ofEpochMilli(r.windowStart).toString());
            g.writeObjectFieldStart("service");
            g.writeStringField("name", r.service);
            g.writeEndObject();
            g.writeObjectFieldStart("labels");
            for (Map.Entry<String, String> e : new TreeMap<>(r.labels).entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeObjectFieldStart("event");
            g.writeStringField("start", Instant.ofEpochMilli(r.windowStart).toString());
            g.writeStringField("end", Instant.ofEpochMilli(r.windowEnd).toString());
            g.writeEndObject();
            g.writeObjectFieldStart("vigil");
            g.writeNumberField("schema_version", 1);
            g.writeStringField("metric", r.metric);
            g.writeStringField("series_id", r.seriesId());
            if (Double.isFinite(r.value)) {
                g.writeNumberField("value", r.value);
            } else {
                g.writeNullField("value");
            }
            g.writeNumberField("count", r.count);
            g.writeNumberField("window_start", r.windowStart);
            g.writeNumberField("window_end", r.windowEnd);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
