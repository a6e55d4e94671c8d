package io.vigil.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What decoding one raw record yields: either a telemetry record or a dead letter, never both. Decoding happens inside
 * the source (so Kafka's per-partition watermarks see event time) and the job splits the two afterwards.
 */
@TypeInfo(IngestedTypeInfo.Factory.class)
public class Ingested {
    public Telemetry telemetry;
    public DeadLetter deadLetter;

    public Ingested() {}

    public static Ingested of(Telemetry t) {
        Ingested i = new Ingested();
        i.telemetry = t;
        return i;
    }

    public static Ingested dead(DeadLetter d) {
        Ingested i = new Ingested();
        i.deadLetter = d;
        return i;
    }

    public boolean isDead() {
        return deadLetter != null;
    }
}
