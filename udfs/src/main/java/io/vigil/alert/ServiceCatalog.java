package io.vigil.alert;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vigil.model.StringListTypeInfo;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * Who owns each service and where to look when it alerts, keyed by {@code service.name}; read from a YAML file such
 * as {@code rules/_services.yaml} (the leading {@code _} keeps the rule loader from reading it as rules):
 * <pre>
 * services:
 *   checkout:
 *     owner: alice@example.com
 *     team: payments
 *     tier: "1"
 *     runbook: https://runbooks.example.com/checkout
 *     channel: "#checkout-oncall"
 *     dashboards: [https://grafana.example.com/d/checkout]
 * </pre>
 * Unknown keys are errors with file:line:column, so a typo never silently drops a field. The same entries, one JSON
 * object per service with the same field names, can also come from the compacted catalog topic while the job runs
 * ({@link #entryFromJson}, {@link io.vigil.alert.kafka.CatalogTopic}).
 */
public class ServiceCatalog implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The fields an entry may have, for messages. */
    public static final String FIELDS = "owner, team, tier, runbook, channel, dashboards";

    /**
     * One service's entry. A POJO (the list with its {@link TypeInfo}) so Flink keeps it in broadcast state and sends
     * it in {@link CatalogUpdate}s without Kryo.
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY) // as JSON on the topic: empty fields left out
    public static class Entry implements Serializable {
        private static final long serialVersionUID = 1L;
        public String owner;
        public String team;
        public String tier;
        public String runbook;
        public String channel;

        @TypeInfo(StringListTypeInfo.class)
        public List<String> dashboards = new ArrayList<>();
    }

    /** Entry JSON as the catalog topic holds it: the YAML's field names, empty fields left out. */
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The file's shape. */
    static class File {
        @JsonProperty(required = true)
        public Map<String, Entry> services = new LinkedHashMap<>();
    }

    private final Map<String, Entry> services;

    public ServiceCatalog(Map<String, Entry> services) {
        this.services = new LinkedHashMap<>(services);
    }

    public static ServiceCatalog empty() {
        return new ServiceCatalog(Map.of());
    }

    /** Reads a catalog file; IllegalArgumentException with {@code file:line:column: problem} when it is wrong. */
    public static ServiceCatalog load(Path file) {
        ObjectMapper yaml =
                new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        try {
            File f = yaml.readValue(Files.readAllBytes(file), File.class);
            if (f == null || f.services == null) {
                throw new IllegalArgumentException(file + ":1:1: expected a 'services:' map of service.name to entry");
            }
            for (Map.Entry<String, Entry> e : f.services.entrySet()) {
                if (e.getValue() == null) {
                    throw new IllegalArgumentException(
                            file + ": service '" + e.getKey() + "' has no fields; give at least owner or team");
                }
            }
            return new ServiceCatalog(f.services);
        } catch (JsonMappingException e) {
            var loc = e.getLocation();
            throw new IllegalArgumentException(
                    file + ":" + (loc == null ? 0 : loc.getLineNr()) + ":"
                            + (loc == null ? 0 : loc.getColumnNr()) + ": " + e.getOriginalMessage()
                            + " (known fields: " + FIELDS + ")",
                    e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read service catalog: " + e.getMessage(), e);
        }
    }

    /** An entry as JSON with the YAML's field names, empty fields left out (what {@code vigil catalog push} writes). */
    public static String entryToJson(Entry e) {
        try {
            return JSON.writeValueAsString(e);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot write a catalog entry as JSON", ex);
        }
    }

    /**
     * Reads one entry from JSON.
     *
     * @throws IllegalArgumentException saying what is wrong: not JSON, not an object, or an unknown field (a typo
     *     must not silently drop an owner)
     */
    public static Entry entryFromJson(String json) {
        try {
            Entry e = JSON.readValue(json, Entry.class);
            if (e == null) {
                throw new IllegalArgumentException("expected a JSON object with " + FIELDS + ", got null");
            }
            return e;
        } catch (UnrecognizedPropertyException ex) {
            throw new IllegalArgumentException(
                    "unknown field '" + ex.getPropertyName() + "' (known fields: " + FIELDS + ")", ex);
        } catch (JsonProcessingException ex) {
            var loc = ex.getLocation();
            throw new IllegalArgumentException(
                    "not a catalog entry"
                            + (loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")")
                            + ": "
                            + ex.getOriginalMessage(),
                    ex);
        }
    }

    /** Every entry, service name to entry, in file order. */
    public Map<String, Entry> entries() {
        return Collections.unmodifiableMap(services);
    }

    public Entry get(String service) {
        return service == null ? null : services.get(service);
    }

    public int size() {
        return services.size();
    }
}
