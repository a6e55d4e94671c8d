package io.vigil.rules.testing;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rule unit-test file ({@code *.test.yaml}), in the spirit of {@code promtool test rules}: the rule files under test,
 * input telemetry at times relative to {@link #start}, and the alerts expected by given evaluation times. See
 * rules/README.md for the format.
 */
public class RuleTestFile {
    /** Rule files or folders, relative to the test file. */
    @JsonProperty("rule_files")
    public List<String> ruleFiles = new ArrayList<>();
    /** ISO-8601 instant all times in the file are offsets from; the demo's start by default. */
    public String start = "2026-11-02T00:00:00Z";

    public List<TestCase> tests = new ArrayList<>();

    /** One scenario: inputs and what must have fired by when. */
    public static class TestCase {
        public String name;

        @JsonProperty("input_series")
        public List<Series> inputSeries = new ArrayList<>();

        @JsonProperty("input_records")
        public List<Records> inputRecords = new ArrayList<>();

        /**
         * When the case's run ends, as an offset from the file's start (like promtool's {@code eval_time}): the
         * windows that closed by then are judged, records from then on are ignored. By default the newest record's
         * time.
         */
        @JsonProperty("eval_until")
        public String evalUntil;

        @JsonProperty("alert_rule_test")
        public List<AlertCheck> alertRuleTest = new ArrayList<>();
    }

    /** A metric series in promtool notation: one gauge sample per {@link #interval} from {@link #start}. */
    public static class Series {
        public String metric;
        /** Resource attributes; {@code service} is a shorthand for {@code service.name}. */
        public Map<String, String> resource = new LinkedHashMap<>();

        public Map<String, String> attributes = new LinkedHashMap<>();
        public String service;
        public String interval = "1m";
        public String start = "0s";
        public String values;
    }

    /**
     * A log, span or event record, sent {@link #repeat} times {@link #every} apart from {@link #at}. Text values may
     * contain {@code {i}}, replaced by the repetition's number (0, 1, ...), e.g. {@code user.name: "user-{i}"}.
     */
    public static class Records {
        public String at = "0s";
        public long repeat = 1;
        public String every = "1s";
        /** The record: signal, service, name, severity, body, status, kind, duration_ms, value, attributes, resource. */
        public Map<String, Object> record = new LinkedHashMap<>();
    }

    /** The alerts of one rule whose event time is at or before {@link #evalTime}. */
    public static class AlertCheck {
        @JsonProperty("eval_time")
        public String evalTime;

        public String rule;
        /** Compare resolved alerts too (by default only firing alerts are compared, as promtool does). */
        @JsonProperty("with_resolved")
        public boolean withResolved;

        @JsonProperty("exp_alerts")
        public List<ExpectedAlert> expAlerts = new ArrayList<>();
    }

    /** An expected alert: only the fields given are compared (labels and annotations by the keys given). */
    public static class ExpectedAlert {
        public Map<String, String> key;
        public String severity;
        public String status;
        public Map<String, String> labels;
        public Map<String, String> annotations;
        public Double observed;
        /** When the alert's window ended, as an offset from the file's start. */
        @JsonProperty("window_end")
        public String windowEnd;
    }
}
