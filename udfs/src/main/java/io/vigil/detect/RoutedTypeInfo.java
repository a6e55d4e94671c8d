package io.vigil.detect;

import io.vigil.model.CompactStrings;
import io.vigil.model.NetworkOnlySerializer;
import io.vigil.model.SerializerTypeInfo;
import io.vigil.model.TelemetrySerializer;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's type information for {@link Routed}, with its hand-written serializer: the key, the rule ids and their
 * versions, then the record through {@link TelemetrySerializer}. Routed records only cross the network (no state holds
 * them), so the layout needs no migration path; the snapshot exists because Flink asks every serializer for one.
 */
public final class RoutedTypeInfo extends SerializerTypeInfo<Routed> {
    private static final long serialVersionUID = 1L;

    public static final RoutedTypeInfo INSTANCE = new RoutedTypeInfo();

    private RoutedTypeInfo() {
        super(Routed.class, RoutedSerializer.INSTANCE);
    }

    /** Found by Flink through {@code @TypeInfo} on {@link Routed}. */
    public static final class Factory extends TypeInfoFactory<Routed> {
        @Override
        public TypeInformation<Routed> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }

    /** Serializes a {@link Routed}: key, rule count and ids, whether versions follow and the versions, record. */
    public static final class RoutedSerializer extends NetworkOnlySerializer<Routed> {
        private static final long serialVersionUID = 1L;
        public static final RoutedSerializer INSTANCE = new RoutedSerializer();

        @Override
        public Routed createInstance() {
            return new Routed();
        }

        @Override
        public Routed copy(Routed from) {
            return new Routed(
                    from.key,
                    from.rules == null ? null : from.rules.clone(),
                    from.versions == null ? null : from.versions.clone(),
                    from.record);
        }

        @Override
        public void serialize(Routed r, DataOutputView out) throws IOException {
            CompactStrings.write(r.key, out);
            out.writeInt(r.rules == null ? -1 : r.rules.length);
            if (r.rules != null) {
                for (String id : r.rules) {
                    CompactStrings.write(id, out);
                }
                boolean versions = r.versions != null && r.versions.length == r.rules.length;
                out.writeBoolean(versions);
                if (versions) {
                    for (long v : r.versions) {
                        out.writeLong(v);
                    }
                }
            }
            out.writeBoolean(r.record != null);
            if (r.record != null) {
                TelemetrySerializer.INSTANCE.serialize(r.record, out);
            }
        }

        @Override
        public Routed deserialize(DataInputView in) throws IOException {
            Routed r = new Routed();
            r.key = CompactStrings.read(in);
            int n = in.readInt();
            if (n >= 0) {
                r.rules = new String[n];
                for (int i = 0; i < n; i++) {
                    r.rules[i] = CompactStrings.read(in);
                }
                if (in.readBoolean()) {
                    r.versions = new long[n];
                    for (int i = 0; i < n; i++) {
                        r.versions[i] = in.readLong();
                    }
                }
            }
            r.record = in.readBoolean() ? TelemetrySerializer.INSTANCE.deserializeFields(in) : null;
            return r;
        }

        @Override
        public TypeSerializerSnapshot<Routed> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    /** The snapshot Flink asks for; routed records are never kept in state. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Routed> {
        public Snapshot() {
            super(() -> RoutedSerializer.INSTANCE);
        }
    }
}
