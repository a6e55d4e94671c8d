package io.vigil.rules.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vigil.ingest.Decoders;
import io.vigil.model.Ingested;
import io.vigil.model.Telemetry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The auth rule tests (rules/tests/auth.test.yaml) feed records, not log lines; this keeps them honest: every record's
 * attributes must be exactly what the syslog decoder reads from its body, so the rules are tested on what real auth
 * log lines decode to.
 */
class AuthRuleTestRecordsTest {
    @Test
    void everyRecordIsWhatItsLineDecodesTo() throws Exception {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("rules/tests/auth.test.yaml"))) {
            p = p.getParent();
        }
        assertTrue(p != null, "rules/tests/auth.test.yaml not found");
        RuleTestFile f = new ObjectMapper(new YAMLFactory())
                .readValue(p.resolve("rules/tests/auth.test.yaml").toFile(), RuleTestFile.class);
        int checked = 0;
        for (RuleTestFile.TestCase tc : f.tests) {
            for (RuleTestFile.Records r : tc.inputRecords) {
                String service = (String) r.record.get("service");
                String body = ((String) r.record.get("body")).replace("{i}", "0");
                @SuppressWarnings("unchecked")
                Map<String, Object> want = (Map<String, Object>) r.record.get("attributes");
                Map<String, String> expected = new LinkedHashMap<>();
                want.forEach((k, v) -> expected.put(k, v.toString().replace("{i}", "0")));
                Telemetry t = syslogLine(service, body);
                Map<String, String> got = new LinkedHashMap<>(t.attributes);
                got.remove("process.pid");
                assertEquals(expected, got, tc.name + ": " + body);
                assertEquals(body, t.body);
                checked++;
            }
        }
        assertTrue(checked >= 20, "records checked: " + checked);
    }

    /** The record the syslog decoder makes of one line of {@code program}. */
    private static Telemetry syslogLine(String program, String msg) {
        List<Ingested> out = new ArrayList<>();
        String l = "Nov  2 04:05:02 web-1 " + program + "[4242]: " + msg;
        Decoders.forFormat("syslog:year=2026,zone=UTC").decode(l.getBytes(StandardCharsets.UTF_8), "test", out::add);
        assertEquals(1, out.size(), l);
        assertTrue(!out.get(0).isDead(), l);
        return out.get(0).telemetry;
    }
}
