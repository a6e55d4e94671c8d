package io.vigil.model;

import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

/** The records that flow between operators must use Flink's PojoSerializer, never Kryo (fast, and can evolve). */
class ModelSerializationTest {
    @Test
    void telemetryIsAPojoWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(Telemetry.class);
    }

    @Test
    void alertIsAPojoWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(Alert.class);
    }

    @Test
    void rollupIsAPojoWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(Rollup.class);
    }

    @Test
    void deadLetterIsAPojoWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(DeadLetter.class);
    }

    @Test
    void rawRecordAndIngestedArePojosWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(RawRecord.class);
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(Ingested.class);
    }
}
