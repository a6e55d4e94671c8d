package io.vigil.detect.slo;

import java.math.BigDecimal;

/**
 * One multi-window burn-rate condition (Google SRE Workbook, "Alerting on SLOs", recommendation 6): the error budget
 * burns at least {@code burnRate} times the sustainable rate over the {@code long} window AND over the {@code short}
 * window. The long window gives significance, the short one makes the alert reset soon after the burn stops.
 * Conditions with the same {@code alert} name (page, ticket) form one alert: it fires while any of them holds.
 */
final class BurnRatePair {
    final String alert;
    final String severity;
    final double burnRate;
    /**
     * The factor as the decimal its author wrote (the shortest decimal that reads back as {@link #burnRate}), for the
     * exact comparison in {@link SloDetector}.
     */
    final BigDecimal exactBurnRate;

    final long longWindow;
    final long shortWindow;

    BurnRatePair(String alert, String severity, double burnRate, long longWindow, long shortWindow) {
        this.alert = alert;
        this.severity = severity;
        this.burnRate = burnRate;
        this.exactBurnRate = Double.isFinite(burnRate) ? BigDecimal.valueOf(burnRate) : BigDecimal.ZERO;
        this.longWindow = longWindow;
        this.shortWindow = shortWindow;
    }
}
