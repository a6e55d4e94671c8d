package io.vigil.rollup;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Tells Flink to serialize a {@code Map<String, Long>} (counts) field with its own MapSerializer. Without it a map field of a
 * POJO is a generic type and falls back to Kryo, which is slow and cannot evolve.
 */
public class StringLongMapTypeInfo extends TypeInfoFactory<Map<String, Long>> {
    @Override
    public TypeInformation<Map<String, Long>> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        return Types.MAP(Types.STRING, Types.LONG);
    }
}
