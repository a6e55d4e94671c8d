package io.vigil.rules;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A detection rule as its author wrote it: the common fields every kind shares plus the kind's own {@link #params}.
 * Rules travel through the job as this object's JSON (see {@link RuleCodec}), so a rule is data that can change while
 * the job runs; {@link CompiledRule} is what an operator builds from it.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class RuleSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    public String id;
    public String name;
    public String description;
    public String kind;
    public boolean enabled = true;
    /** info, low, medium, high, critical. */
    public String severity = "medium";
    /** Which telemetry the rule looks at: field name to condition (see {@link Match}). */
    public Map<String, Object> match = new LinkedHashMap<>();
    /** Optional CEL condition over the record, evaluated after {@link #match}. */
    public String where;

    @JsonProperty("key_by")
    public List<String> keyBy = new ArrayList<>();
    /** Minimum time between two firing alerts for the same key, e.g. {@code 30m}; repeats are counted. */
    public String realert;
    /** How long the condition must hold, in event time, before the alert fires, e.g. {@code 5m}. */
    @JsonProperty("for")
    public String forDuration;
    /** How long an alert stays firing after its condition cleared, e.g. {@code 10m}; a re-breach continues it. */
    @JsonProperty("keep_firing_for")
    public String keepFiringFor;

    public Map<String, String> labels = new LinkedHashMap<>();
    /** Templates over key fields and values: {@code {{ service.name }}}, {@code {{ observed }}}, ... */
    public Map<String, String> annotations = new LinkedHashMap<>();

    public String owner;
    public String runbook;
    /** Kind-specific parameters, validated by the kind. */
    public Map<String, Object> params = new LinkedHashMap<>();

    /** Where the rule was read from, {@code file:line}; not part of the rule's identity. */
    @JsonIgnore
    public transient String source;

    /** Line and column of each field path ({@code params.window}) in the rule's file; empty for rules from JSON. */
    @JsonIgnore
    public transient Map<String, int[]> locations;

    public RuleSpec() {}

    public Map<String, int[]> locations() {
        return locations == null ? Map.of() : locations;
    }

    @Override
    public String toString() {
        return kind + " rule " + id + (source == null ? "" : " (" + source + ")");
    }
}
