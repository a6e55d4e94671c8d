package io.vigil.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vigil.model.Alert;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

/** The enricher of a job that follows the catalog topic: topic entries over the file's, driven through Flink's harness. */
class BroadcastAlertEnricherTest {
    private static final long T0 = 1_767_225_600_000L;

    /** The catalog file: payments and cart. */
    private static final ServiceCatalog FILE = new ServiceCatalog(Map.of(
            "payments", entry("file-payments@shop.example", "payments", "https://runbooks/file-payments"),
            "cart", entry("file-cart@shop.example", "checkout", null)));

    private static ServiceCatalog.Entry entry(String owner, String team, String runbook) {
        ServiceCatalog.Entry e = new ServiceCatalog.Entry();
        e.owner = owner;
        e.team = team;
        e.runbook = runbook;
        return e;
    }

    private static Alert alert(String service) {
        Alert a = new Alert();
        a.service = service;
        a.ruleId = "r";
        return a;
    }

    private static BroadcastOperatorTestHarness<Alert, CatalogUpdate, Alert> harness() throws Exception {
        return ProcessFunctionTestHarnesses.forBroadcastProcessFunction(
                new BroadcastAlertEnricher(FILE), BroadcastAlertEnricher.CATALOG);
    }

    /** Sends one alert of this service through and returns its enrichment. */
    private static Map<String, String> enrich(
            BroadcastOperatorTestHarness<Alert, CatalogUpdate, Alert> h, String service) throws Exception {
        int before = h.extractOutputValues().size();
        h.processElement(alert(service), T0);
        List<Alert> out = h.extractOutputValues();
        assertEquals(before + 1, out.size(), "every alert passes, none is dropped");
        return out.get(out.size() - 1).enrichment;
    }

    @Test
    void aTopicEntryWinsOverTheFilesAndAddsServicesTheFileLacks() throws Exception {
        var h = harness();
        assertEquals("file-payments@shop.example", enrich(h, "payments").get("owner"));

        h.processBroadcastElement(new CatalogUpdate("payments", entry("topic-payments@shop.example", "psp", null)), T0);
        h.processBroadcastElement(new CatalogUpdate("billing", entry("billing@shop.example", "finance", null)), T0);
        Map<String, String> payments = enrich(h, "payments");
        assertEquals("topic-payments@shop.example", payments.get("owner"));
        assertEquals("psp", payments.get("team"));
        assertNull(payments.get("runbook"), "the topic's entry replaces the file's whole, it does not merge with it");
        assertEquals("known", payments.get(AlertEnricher.STATUS));
        assertEquals("finance", enrich(h, "billing").get("team"));
        assertEquals("file-cart@shop.example", enrich(h, "cart").get("owner"), "other services keep the file's");
        h.close();
    }

    @Test
    void aRemovalFallsBackToTheFileOrToUnknown() throws Exception {
        var h = harness();
        h.processBroadcastElement(new CatalogUpdate("payments", entry("topic-payments@shop.example", "psp", null)), T0);
        h.processBroadcastElement(new CatalogUpdate("billing", entry("billing@shop.example", "finance", null)), T0);
        h.processBroadcastElement(CatalogUpdate.removal("payments"), T0);
        h.processBroadcastElement(CatalogUpdate.removal("billing"), T0);
        h.processBroadcastElement(CatalogUpdate.removal("never-there"), T0);

        Map<String, String> payments = enrich(h, "payments");
        assertEquals("file-payments@shop.example", payments.get("owner"));
        assertEquals("https://runbooks/file-payments", payments.get("runbook"));
        assertEquals(Map.of(AlertEnricher.STATUS, "unknown"), enrich(h, "billing"));
        assertEquals(
                0,
                h.getBroadcastState(BroadcastAlertEnricher.CATALOG)
                        .entries()
                        .spliterator()
                        .getExactSizeIfKnown(),
                "the topic's entries are gone from state");
        h.close();
    }

    @Test
    void unknownServicesAreMarkedAndKept() throws Exception {
        var h = harness();
        h.processBroadcastElement(new CatalogUpdate("billing", entry("billing@shop.example", "finance", null)), T0);
        assertEquals(Map.of(AlertEnricher.STATUS, "unknown"), enrich(h, "search"));
        assertEquals(Map.of(AlertEnricher.STATUS, "unknown"), enrich(h, null));
        h.close();
    }

    @Test
    void aRulesOwnerAndRunbookStillOverrideTheTopicsEntry() throws Exception {
        var h = harness();
        h.processBroadcastElement(
                new CatalogUpdate(
                        "payments", entry("topic-payments@shop.example", "psp", "https://runbooks/topic-payments")),
                T0);
        Alert a = alert("payments");
        a.annotations.put("owner", "fraud@shop.example");
        a.annotations.put("runbook", "https://runbooks/fraud");
        h.processElement(a, T0);
        Map<String, String> m = h.extractOutputValues().get(0).enrichment;
        assertEquals("fraud@shop.example", m.get("owner"));
        assertEquals("https://runbooks/fraud", m.get("runbook"));
        assertEquals("psp", m.get("team"), "the rest still comes from the topic's entry");
        h.close();
    }

    @Test
    void theTopicsEntriesSurviveASnapshotAndRestore() throws Exception {
        var h = harness();
        h.processBroadcastElement(new CatalogUpdate("payments", entry("topic-payments@shop.example", "psp", null)), T0);
        h.processBroadcastElement(new CatalogUpdate("billing", entry("billing@shop.example", "finance", null)), T0);
        h.processBroadcastElement(CatalogUpdate.removal("billing"), T0);
        OperatorSubtaskState snapshot = h.snapshot(1L, T0);
        h.close();

        var restored = new BroadcastOperatorTestHarness<Alert, CatalogUpdate, Alert>(
                new CoBroadcastWithNonKeyedOperator<>(
                        new BroadcastAlertEnricher(FILE), List.of(BroadcastAlertEnricher.CATALOG)),
                1,
                1,
                0);
        restored.setup();
        restored.initializeState(snapshot);
        restored.open();
        assertEquals("topic-payments@shop.example", enrich(restored, "payments").get("owner"));
        assertEquals(Map.of(AlertEnricher.STATUS, "unknown"), enrich(restored, "billing"));
        assertEquals("file-cart@shop.example", enrich(restored, "cart").get("owner"));
        restored.close();
    }

    @Test
    void updatesAndEntriesAreFlinkPojosWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(CatalogUpdate.class);
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(ServiceCatalog.Entry.class);
    }
}
