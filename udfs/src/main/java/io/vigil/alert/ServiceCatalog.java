package io.vigil.alert;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * Unknown keys are errors with file:line:column, so a typo never silently drops a field.
 */
public class ServiceCatalog implements Serializable {
    private static final long serialVersionUID = 1L;

    /** One service's entry. */
    public static class Entry implements Serializable {
        private static final long serialVersionUID = 1L;
        public String owner;
        public String team;
        public String tier;
        public String runbook;
        public String channel;
        public List<String> dashboards = new ArrayList<>();
    }

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
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        try {
            File f = yaml.readValue(Files.readAllBytes(file), File.class);
            if (f == null || f.services == null) {
                throw new IllegalArgumentException(file + ":1:1: expected a 'services:' map of service.name to entry");
            }
            for (Map.Entry<String, Entry> e : f.services.entrySet()) {
                if (e.getValue() == null) {
                    throw new IllegalArgumentException(file + ": service '" + e.getKey()
                            + "' has no fields; give at least owner or team");
                }
            }
            return new ServiceCatalog(f.services);
        } catch (JsonMappingException e) {
            var loc = e.getLocation();
            throw new IllegalArgumentException(file + ":" + (loc == null ? 0 : loc.getLineNr()) + ":"
                    + (loc == null ? 0 : loc.getColumnNr()) + ": " + e.getOriginalMessage()
                    + " (known fields: owner, team, tier, runbook, channel, dashboards)", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read service catalog: " + e.getMessage(), e);
        }
    }

    public Entry get(String service) {
        return service == null ? null : services.get(service);
    }

    public int size() {
        return services.size();
    }
}
