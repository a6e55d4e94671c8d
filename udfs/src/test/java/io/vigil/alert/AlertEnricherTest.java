package io.vigil.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.Alert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertEnricherTest {
    private static final Path REPO_CATALOG = findCatalog();

    private static Path findCatalog() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("rules/_services.yaml"))) {
            p = p.getParent();
        }
        return p.resolve("rules/_services.yaml");
    }

    private static Alert alert(String service) {
        Alert a = new Alert();
        a.service = service;
        a.ruleId = "r";
        return a;
    }

    @Test
    void knownServicesGetTheirCatalogEntry() throws Exception {
        ServiceCatalog c = ServiceCatalog.load(REPO_CATALOG);
        Alert a = new AlertEnricher(c).map(alert("payments"));
        assertEquals("payments-oncall@shop.example", a.enrichment.get("owner"));
        assertEquals("payments", a.enrichment.get("team"));
        assertEquals("0", a.enrichment.get("tier"));
        assertEquals("#payments-oncall", a.enrichment.get("channel"));
        assertEquals(
                "https://dashboards.shop.example/d/payments,https://dashboards.shop.example/d/psp",
                a.enrichment.get("dashboards"));
        assertEquals("known", a.enrichment.get(AlertEnricher.STATUS));
    }

    @Test
    void unknownServicesAreMarkedAndKept() throws Exception {
        Alert a = new AlertEnricher(ServiceCatalog.load(REPO_CATALOG)).map(alert("billing"));
        assertEquals(Map.of(AlertEnricher.STATUS, "unknown"), a.enrichment);
        Alert none = new AlertEnricher(ServiceCatalog.empty()).map(alert(null));
        assertEquals("unknown", none.enrichment.get(AlertEnricher.STATUS));
    }

    @Test
    void aRulesOwnerAndRunbookOverrideTheCatalog() throws Exception {
        Alert a = alert("checkout");
        a.annotations.put("owner", "fraud@shop.example");
        a.annotations.put("runbook", "https://runbooks.shop.example/checkout-fraud");
        new AlertEnricher(ServiceCatalog.load(REPO_CATALOG)).map(a);
        assertEquals("fraud@shop.example", a.enrichment.get("owner"));
        assertEquals("https://runbooks.shop.example/checkout-fraud", a.enrichment.get("runbook"));
        assertEquals("checkout", a.enrichment.get("team"), "the rest still comes from the catalog");
    }

    @Test
    void aTypoInTheCatalogIsReportedWithItsLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("services.yaml");
        Files.writeString(f, "services:\n  cart:\n    team: checkout\n    runbok: https://x\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServiceCatalog.load(f));
        assertTrue(e.getMessage().startsWith(f + ":4:"), e.getMessage());
        assertTrue(e.getMessage().contains("runbok"), e.getMessage());
    }
}
