package io.vigil.sink.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;

/**
 * The composable index templates for Vigil's indices, with explicit ECS mappings ({@code *-mappings.json} beside this
 * class): {@code <prefix>-alerts} for {@code <prefix>-alerts-*}, {@code <prefix>-rollups} for {@code <prefix>-rollups-*}
 * and {@code <prefix>-deadletters} for the one dead-letter index. {@code PUT _index_template} is the same in
 * Elasticsearch 7.8+ and OpenSearch 1+, and installing is idempotent, so every writer installs them on start.
 */
public final class SearchTemplates {
    /** Bumped when a mapping changes; shown as the template's version. */
    public static final int VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SearchTemplates() {}

    /** Template name to template body. */
    public static Map<String, ObjectNode> templates(SearchConfig c) {
        Map<String, ObjectNode> t = new LinkedHashMap<>();
        t.put(c.indexPrefix + "-alerts", template(c, c.alertsIndexPattern(), "alerts-mappings.json"));
        t.put(c.indexPrefix + "-incidents", template(c, c.incidentsIndexPattern(), "incidents-mappings.json"));
        t.put(c.indexPrefix + "-rollups", template(c, c.rollupsIndexPattern(), "rollups-mappings.json"));
        t.put(c.indexPrefix + "-deadletters", template(c, c.deadLetterIndex(), "deadletters-mappings.json"));
        return t;
    }

    /** PUTs every template; throws with the server's answer when one is refused. */
    public static void install(RestClient client, SearchConfig c) throws IOException {
        for (Map.Entry<String, ObjectNode> e : templates(c).entrySet()) {
            Request r = new Request("PUT", "/_index_template/" + e.getKey());
            r.setJsonEntity(MAPPER.writeValueAsString(e.getValue()));
            client.performRequest(r); // throws ResponseException (with the body) on any non-2xx answer
        }
    }

    private static ObjectNode template(SearchConfig c, String pattern, String mappings) {
        ObjectNode t = MAPPER.createObjectNode();
        t.putArray("index_patterns").add(pattern);
        t.put("priority", 200);
        t.put("version", VERSION);
        ObjectNode body = t.putObject("template");
        ObjectNode index = body.putObject("settings").putObject("index");
        index.put("number_of_shards", 1);
        if (c.replicas != null) {
            index.put("number_of_replicas", c.replicas);
        }
        try (InputStream in = SearchTemplates.class.getResourceAsStream(mappings)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + mappings);
            }
            body.set("mappings", MAPPER.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return t;
    }
}
