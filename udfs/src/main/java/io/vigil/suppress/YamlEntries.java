package io.vigil.suppress;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads a YAML file that is one top-level list of entries ({@code silences:}, {@code inhibit_rules:}), each entry
 * mapped with Jackson and then checked, so that every problem names the file and the line and column where its entry
 * starts (an unknown field: where the field is). Jackson alone would point a failed check at the entry's end.
 */
final class YamlEntries {
    private YamlEntries() {}

    /**
     * @param check turns a mapped entry into the value, throwing IllegalArgumentException for a wrong one
     * @throws IllegalArgumentException {@code file:line:column: problem}
     */
    static <J, T> List<T> read(Path file, String listName, Class<J> shape, String fields, Function<J, T> check) {
        ObjectMapper yaml =
                new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        List<T> out = new ArrayList<>();
        try (JsonParser p = yaml.getFactory().createParser(Files.readAllBytes(file))) {
            if (p.nextToken() != JsonToken.START_OBJECT
                    || p.nextToken() != JsonToken.FIELD_NAME
                    || !listName.equals(p.currentName())
                    || p.nextToken() != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException(
                        at(file, p.currentLocation()) + "expected a '" + listName + ":' list at the top of the file");
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                JsonLocation start = p.currentLocation();
                try {
                    out.add(check.apply(yaml.readValue(p, shape)));
                } catch (UnrecognizedPropertyException e) {
                    throw new IllegalArgumentException(at(file, e.getLocation()) + "unknown field '"
                            + e.getPropertyName() + "' (known fields: " + fields + ")");
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(at(file, start) + e.getMessage(), e);
                }
            }
            if (p.currentToken() != JsonToken.END_ARRAY) {
                throw new IllegalArgumentException(
                        at(file, p.currentLocation()) + "each entry of '" + listName + "' is a map of " + fields);
            }
            if (p.nextToken() != JsonToken.END_OBJECT) {
                throw new IllegalArgumentException(
                        at(file, p.currentLocation()) + "only '" + listName + ":' may be at the top of this file");
            }
        } catch (JsonMappingException e) {
            throw new IllegalArgumentException(at(file, e.getLocation()) + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read " + listName + ": " + e.getMessage(), e);
        }
        return out;
    }

    static String at(Path file, JsonLocation loc) {
        return file + ":" + (loc == null ? 0 : loc.getLineNr()) + ":" + (loc == null ? 0 : loc.getColumnNr()) + ": ";
    }
}
