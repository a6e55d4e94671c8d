package io.vigil.model;

import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/** Serializes a {@code List<Double>} field with Flink's ListSerializer instead of Kryo (see {@link StringMapTypeInfo}). */
public class DoubleListTypeInfo extends TypeInfoFactory<List<Double>> {
    @Override
    public TypeInformation<List<Double>> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
        return Types.LIST(Types.DOUBLE);
    }
}
