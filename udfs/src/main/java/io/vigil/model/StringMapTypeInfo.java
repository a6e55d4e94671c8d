package io.vigil.model;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Tells Flink to serialize a {@code Map<String, String>} field with its own MapSerializer. Without it a map field of a
 * POJO is a generic type and falls back to Kryo, which is slow and cannot evolve.
 */
public class StringMapTypeInfo extends TypeInfoFactory<Map<String, String>> {
    @Override
    public TypeInformation<Map<String, String>> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        return Types.MAP(Types.STRING, Types.STRING);
    }
}
