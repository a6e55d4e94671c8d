package io.vigil.incident;

import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/** Serializes an incident's timeline with Flink's list and POJO serializers, never Kryo. */
public class TimelineTypeInfo extends TypeInfoFactory<List<TimelineEntry>> {
    @Override
    public TypeInformation<List<TimelineEntry>> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        return Types.LIST(Types.POJO(TimelineEntry.class));
    }
}
