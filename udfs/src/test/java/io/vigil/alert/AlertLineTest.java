package io.vigil.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.model.Alert;
import org.junit.jupiter.api.Test;

class AlertLineTest {
    @Test
    void aFiringAlertOnOneLine() {
        Alert a = AlertJsonTest.sample();
        a.keyFields.remove("service.name");
        assertEquals(
                "2026-11-02T02:20:00Z HIGH     ssh-brute-force source.ip=203.0.113.45 host.name=bastion-1"
                        + " | 152 failed logins from 203.0.113.45 (+3 suppressed) [team secops]",
                AlertLine.format(a));
    }

    @Test
    void aResolvedAlertWithoutExtras() {
        Alert a = AlertJsonTest.sample();
        a.status = Alert.RESOLVED;
        a.severity = "critical";
        a.keyFields.clear();
        a.suppressed = 0;
        a.enrichment.clear();
        a.message = "Resolved: all good";
        assertEquals(
                "2026-11-02T02:20:00Z CRITICAL RESOLVED ssh-brute-force | Resolved: all good", AlertLine.format(a));
    }
}
