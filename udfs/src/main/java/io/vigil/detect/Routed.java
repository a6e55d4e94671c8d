package io.vigil.detect;

import io.vigil.model.Telemetry;

/** A record on its way to one rule's detector: the routing key (rule id and key values) and the record. */
public class Routed {
    public String key;
    public Telemetry record;

    public Routed() {}

    public Routed(String key, Telemetry record) {
        this.key = key;
        this.record = record;
    }
}
