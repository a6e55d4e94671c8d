package io.vigil.model;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

/**
 * The records that flow between operators use Flink's PojoSerializer or a hand-written one, never Kryo (fast, and can
 * evolve).
 */
class ModelSerializationTest {
    @Test
    void telemetryUsesItsHandWrittenSerializerNeverKryo() {
        TypeInformation<Telemetry> info = TypeInformation.of(Telemetry.class);
        assertInstanceOf(TelemetryTypeInfo.class, info);
        SerializerConfigImpl noKryo = new SerializerConfigImpl();
        noKryo.setGenericTypes(false);
        assertInstanceOf(TelemetrySerializer.class, info.createSerializer(noKryo));
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
    void rawRecordIsAPojoWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(RawRecord.class);
    }

    @Test
    void ingestedUsesItsHandWrittenSerializerNeverKryo() {
        TypeInformation<Ingested> info = TypeInformation.of(Ingested.class);
        assertInstanceOf(IngestedTypeInfo.class, info);
        SerializerConfigImpl noKryo = new SerializerConfigImpl();
        noKryo.setGenericTypes(false);
        assertInstanceOf(IngestedTypeInfo.IngestedSerializer.class, info.createSerializer(noKryo));
    }
}
