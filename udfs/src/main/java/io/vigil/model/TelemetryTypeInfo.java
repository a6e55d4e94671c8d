package io.vigil.model;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's type information for {@link Telemetry}: serialized by {@link TelemetrySerializer}, never by Kryo. */
public final class TelemetryTypeInfo extends TypeInformation<Telemetry> {
    private static final long serialVersionUID = 1L;

    public static final TelemetryTypeInfo INSTANCE = new TelemetryTypeInfo();

    /** Found by Flink through {@code @TypeInfo} on {@link Telemetry}. */
    public static final class Factory extends TypeInfoFactory<Telemetry> {
        @Override
        public TypeInformation<Telemetry> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<Telemetry> getTypeClass() {
        return Telemetry.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<Telemetry> createSerializer(SerializerConfig config) {
        return TelemetrySerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "Telemetry";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof TelemetryTypeInfo;
    }

    @Override
    public int hashCode() {
        return TelemetryTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof TelemetryTypeInfo;
    }
}
