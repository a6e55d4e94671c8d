package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every rule file under rules/ is valid, for the schema editors use and for the validator the job uses. */
class RulePackTest {
    static final Path RULES = findRules();
    private static JsonNode schemaJson;
    private static Schema schema;

    @BeforeAll
    static void load() throws IOException {
        schemaJson = new ObjectMapper().readTree(RULES.resolve("schema.json").toFile());
        schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(schemaJson);
    }

    @Test
    void everyRuleFileValidatesAgainstTheSchema() throws IOException {
        List<Path> files = RuleLoader.ruleFiles(List.of(RULES));
        assertFalse(files.isEmpty());
        List<String> failures = new ArrayList<>();
        for (Path f : files) {
            for (JsonNode doc : new YAMLMapper()
                    .readValues(new YAMLMapper().createParser(f.toFile()), JsonNode.class)
                    .readAll()) {
                List<Error> errors = schema.validate(doc);
                if (!errors.isEmpty()) {
                    failures.add(f + ": " + errors);
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void everyRuleFilePassesTheValidator() throws IOException {
        RuleValidator.Report r = RuleValidator.validate(List.of(RULES));
        assertTrue(r.ok(), r.problems.toString());
        assertTrue(r.rules.size() >= 5, "starter pack: " + r.rules.size());
    }

    @Test
    void theSchemaKnowsEveryRegisteredKindAndItsParameters() {
        Set<String> inSchema = new TreeSet<>();
        schemaJson.at("/$defs/kind/enum").forEach(n -> inSchema.add(n.asText()));
        List<String> missing = new ArrayList<>();
        for (String kind : RuleKinds.names()) {
            if (!inSchema.contains(kind)) {
                missing.add(kind + " (add it to $defs.kind.enum)");
            }
            if (schemaJson.at("/$defs/params/" + kind).isMissingNode()) {
                missing.add(kind + " (add $defs.params." + kind + " and an if/then entry to $defs.rule.allOf)");
            }
        }
        assertTrue(missing.isEmpty(), "rules/schema.json lacks kinds: " + missing);
    }

    @Test
    void theSchemaRejectsWhatTheValidatorRejects() throws IOException {
        YAMLMapper yaml = new YAMLMapper();
        for (String bad : List.of(
                "{id: a, name: A, kind: frequency, params: {count: 5, window: 5 minutes}}",
                "{id: a, name: A, kind: frequency, params: {count: 5, window: 1m, windw: 2m}}",
                "{id: a, name: A, kind: threshold, params: {window: 1m}}",
                "{id: a, name: A, kind: frequency, severity: urgent, params: {count: 5, window: 1m}}",
                "{id: a, name: A, kind: frequency, colour: red, params: {count: 5, window: 1m}}",
                "{id: A B, name: A, kind: frequency, params: {count: 5, window: 1m}}",
                "{id: a, name: A, kind: frequency, match: {status: {like: x}}, params: {count: 5, window: 1m}}")) {
            assertFalse(schema.validate(yaml.readTree(bad)).isEmpty(), "schema accepted " + bad);
        }
        assertEquals(
                List.of(),
                schema.validate(yaml.readTree("{id: a, name: A, kind: frequency, params: {count: 5, window: 1m}}")));
    }

    static Path findRules() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("rules/schema.json"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException(
                    "rules/schema.json not found above " + Path.of("").toAbsolutePath());
        }
        return p.resolve("rules");
    }
}
