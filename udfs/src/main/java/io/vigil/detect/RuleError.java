package io.vigil.detect;

import io.vigil.model.Telemetry;

/** A rule that failed at run time on one record: which rule, the record that broke it, and the error. */
public class RuleError {
    public String ruleId;
    public Telemetry record;
    public String error;
    public long at;

    public RuleError() {}

    public RuleError(String ruleId, Telemetry record, String error) {
        this.ruleId = ruleId;
        this.record = record;
        this.error = error;
        this.at = System.currentTimeMillis();
    }

    @Override
    public String toString() {
        return "rule " + ruleId + " failed on " + record + ": " + error;
    }
}
