package io.vigil.model;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Flink's type information for {@link Telemetry}: serialized by {@link TelemetrySerializer}, never by Kryo. */
public final class TelemetryTypeInfo extends SerializerTypeInfo<Telemetry> {
    private static final long serialVersionUID = 1L;

    public static final TelemetryTypeInfo INSTANCE = new TelemetryTypeInfo();

    private TelemetryTypeInfo() {
        super(Telemetry.class, TelemetrySerializer.INSTANCE);
    }

    /** Found by Flink through {@code @TypeInfo} on {@link Telemetry}. */
    public static final class Factory extends TypeInfoFactory<Telemetry> {
        @Override
        public TypeInformation<Telemetry> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }
}
