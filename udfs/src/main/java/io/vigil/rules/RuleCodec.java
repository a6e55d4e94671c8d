package io.vigil.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;

/**
 * The canonical JSON form of a rule. Operators compare rules by this text: a rule whose JSON changed is a new rule and
 * its keyed state is reset on purpose.
 */
public final class RuleCodec {
    static final ObjectMapper JSON = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private RuleCodec() {}

    public static String toJson(RuleSpec spec) {
        try {
            return JSON.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RuleSpec fromJson(String json) {
        try {
            return JSON.readValue(json, RuleSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a rule: " + e.getOriginalMessage(), e);
        }
    }
}
