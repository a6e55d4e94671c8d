package io.vigil.rules.sigma;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sigma logsources and field names to Vigil's: the {@code match} a logsource adds and the OTel/ECS name of each Sigma
 * field, read from mapping files ({@code rules/sigma/_mapping.yaml} and the user's, which come first and win).
 */
public final class SigmaMapping {
    private final List<Map<String, Object>> logsources = new ArrayList<>();
    private final Map<String, String> fields = new LinkedHashMap<>();

    /** Reads the files in order: earlier files' logsources are tried first and their fields win. */
    @SuppressWarnings("unchecked")
    public static SigmaMapping load(List<Path> files) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        SigmaMapping m = new SigmaMapping();
        for (Path f : files) {
            Map<String, Object> doc = yaml.readValue(f.toFile(), Map.class);
            if (doc == null) {
                continue;
            }
            Object ls = doc.get("logsources");
            if (ls instanceof List<?> list) {
                for (Object o : list) {
                    if (!(o instanceof Map<?, ?> entry) || !(entry.get("match") instanceof Map)) {
                        throw new IOException(f + ": each logsources entry needs a match map, not " + o);
                    }
                    m.logsources.add((Map<String, Object>) entry);
                }
            }
            Object fs = doc.get("fields");
            if (fs instanceof Map<?, ?> map) {
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    m.fields.putIfAbsent(String.valueOf(e.getKey()), String.valueOf(e.getValue()));
                }
            }
        }
        return m;
    }

    /** The match block of the first logsource entry that fits, or null when none does. */
    @SuppressWarnings("unchecked")
    Map<String, Object> match(Map<String, Object> logsource) {
        for (Map<String, Object> entry : logsources) {
            boolean fits = true;
            for (String k : List.of("product", "service", "category")) {
                Object want = entry.get(k);
                if (want != null && !want.equals(logsource == null ? null : logsource.get(k))) {
                    fits = false;
                }
            }
            if (fits) {
                return new LinkedHashMap<>((Map<String, Object>) entry.get("match"));
            }
        }
        return null;
    }

    /** The Vigil name of a Sigma field: mapped, else the Sigma name itself. */
    String field(String sigma) {
        return fields.getOrDefault(sigma, sigma);
    }
}
