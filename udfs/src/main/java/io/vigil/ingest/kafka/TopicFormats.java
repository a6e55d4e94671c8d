package io.vigil.ingest.kafka;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Which telemetry topics to read and the format of each: either a fixed topic-to-format map, or a topic pattern whose
 * every topic has one format. A pattern also picks up topics created after the job started.
 */
public final class TopicFormats implements Serializable {
    private final Map<String, String> formatByTopic;
    private final String pattern;
    private final String patternFormat;

    private TopicFormats(Map<String, String> formatByTopic, String pattern, String patternFormat) {
        this.formatByTopic = formatByTopic;
        this.pattern = pattern;
        this.patternFormat = patternFormat;
    }

    public static TopicFormats topics(Map<String, String> formatByTopic) {
        if (formatByTopic.isEmpty()) throw new IllegalArgumentException("at least one telemetry topic is needed");
        return new TopicFormats(new LinkedHashMap<>(formatByTopic), null, null);
    }

    public static TopicFormats pattern(String regex, String format) {
        Pattern.compile(regex); // fails early with the regex error
        return new TopicFormats(Map.of(), regex, Objects.requireNonNull(format));
    }

    public boolean isPattern() {
        return pattern != null;
    }

    public Map<String, String> formatByTopic() {
        return formatByTopic;
    }

    public String pattern() {
        return pattern;
    }

    /** The format of a topic's records; null for a topic this source does not read. */
    public String formatOf(String topic) {
        if (pattern != null) return patternFormat;
        return formatByTopic.get(topic);
    }

    @Override
    public String toString() {
        return pattern != null ? "pattern " + pattern + " as " + patternFormat : formatByTopic.toString();
    }
}
