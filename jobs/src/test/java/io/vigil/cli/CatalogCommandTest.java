package io.vigil.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.alert.ServiceCatalog;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil catalog push}: what it refuses before touching Kafka, and the records it writes. Publishing to a real
 * broker, and the running job picking the entries up, is RuleHotReloadIT's catalog test.
 */
class CatalogCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return VigilCli.commandLine()
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(args);
    }

    @Test
    void pushRefusesAWrongCatalogWithFileLineBeforeTouchingKafka() throws Exception {
        Path f = dir.resolve("services.yaml");
        Files.writeString(f, "services:\n  cart:\n    team: checkout\n    ownr: cart@shop.example\n");
        // No broker at this address: the file is refused first, so nothing tries to connect.
        assertEquals(1, run("catalog", "push", "--bootstrap-servers", "127.0.0.1:1", f.toString()));
        String e = err.toString();
        assertTrue(e.contains(f + ":4:"), e);
        assertTrue(e.contains("ownr"), e);
        assertTrue(e.contains("known fields: " + ServiceCatalog.FIELDS), e);
        assertTrue(e.contains("nothing published"), e);

        assertEquals(
                1,
                run(
                        "catalog",
                        "push",
                        "--bootstrap-servers",
                        "127.0.0.1:1",
                        dir.resolve("missing.yaml").toString()));
        assertTrue(err.toString().contains("missing.yaml: cannot read service catalog"), err.toString());
    }

    @Test
    void wrongUsageExitsTwoWithWhatWouldBeRight() {
        assertEquals(2, run("catalog", "push"));
        assertTrue(err.toString().contains("give a service catalog file to publish, or --delete NAME"), err.toString());
        assertEquals(2, run("catalog", "push", "--prune", "--delete", "cart"));
        assertTrue(err.toString().contains("--prune needs the service catalog file"), err.toString());
    }

    @Test
    void eachServiceBecomesOneRecordKeyedByItsNameWithTheFilesFieldNames() throws Exception {
        Path f = dir.resolve("services.yaml");
        Files.writeString(
                f,
                String.join(
                        "\n",
                        "services:",
                        "  payments:",
                        "    owner: pay@shop.example",
                        "    team: payments",
                        "    tier: 0",
                        "    dashboards: [https://d/payments, https://d/psp]",
                        "  cart:",
                        "    team: checkout",
                        ""));
        Map<String, String> records = CatalogCommand.records(ServiceCatalog.load(f));
        assertEquals(List.of("payments", "cart"), List.copyOf(records.keySet()), "one record per service, in order");
        assertEquals(
                "{\"owner\":\"pay@shop.example\",\"team\":\"payments\",\"tier\":\"0\","
                        + "\"dashboards\":[\"https://d/payments\",\"https://d/psp\"]}",
                records.get("payments"));
        assertEquals("{\"team\":\"checkout\"}", records.get("cart"));
        // What the job's deserializer reads back.
        assertEquals("pay@shop.example", ServiceCatalog.entryFromJson(records.get("payments")).owner);
    }
}
