package io.vigil.detect;

import io.vigil.model.CompactStrings;
import io.vigil.model.NetworkOnlySerializer;
import io.vigil.model.RecentEncodings;
import io.vigil.model.RecentStrings;
import io.vigil.model.SerializerTypeInfo;
import io.vigil.model.TelemetrySerializer;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
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
        super(Routed.class, new RoutedSerializer());
    }

    /** Found by Flink through {@code @TypeInfo} on {@link Routed}. */
    public static final class Factory extends TypeInfoFactory<Routed> {
        @Override
        public TypeInformation<Routed> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }

    /**
     * Serializes a {@link Routed}: the key, the rule count (-1 for none), whether versions follow, then either the
     * versions and the rule ids as one block of bytes behind its length, or the ids alone; then the record.
     *
     * <p>The ids come as a block because the detectors rarely read them: they find each rule by its version, and by its
     * id only when that version no longer runs. With 200 matching rules, reading 200 ids per record into strings was
     * the largest part of reading a routed record, so they are kept as the block and made strings on first need
     * ({@link Routed#ruleId}). The reader takes the key and the record's repeated strings from the strings it read
     * last ({@link RecentStrings}), a table of this serializer's, so it is stateful: one per thread, by
     * {@link #duplicate}.
     */
    public static final class RoutedSerializer extends NetworkOnlySerializer<Routed> {
        private static final long serialVersionUID = 1L;

        /** Made on first read: serializers travel to the task managers serialized, and a table need not travel. */
        private transient RecentStrings recent;

        /** The rule ids of the record being written, to put their length before them; made on first write. */
        private transient DataOutputSerializer ids;

        /** The encodings of the strings written last ({@link RecentEncodings}); made on first write. */
        private transient RecentEncodings written;

        @Override
        public RoutedSerializer duplicate() {
            return new RoutedSerializer();
        }

        @Override
        public Routed createInstance() {
            return new Routed();
        }

        @Override
        public Routed copy(Routed from) {
            Routed copy = new Routed(
                    from.key,
                    from.rules == null ? null : from.rules.clone(),
                    from.versions == null ? null : from.versions.clone(),
                    from.record);
            copy.ruleIdBytes = from.ruleIdBytes; // never changed
            return copy;
        }

        @Override
        public void serialize(Routed r, DataOutputView out) throws IOException {
            if (written == null) {
                written = new RecentEncodings();
            }
            written.write(r.key, out);
            int n = r.rules != null || r.ruleIdBytes != null ? r.ruleCount() : -1;
            out.writeInt(n);
            if (n < 0) {
                writeRecord(r, out);
                return;
            }
            boolean versions = r.versions != null && r.versions.length == n;
            out.writeBoolean(versions);
            if (!versions) {
                for (int i = 0; i < n; i++) {
                    written.write(r.ruleId(i), out);
                }
                writeRecord(r, out);
                return;
            }
            for (long v : r.versions) {
                out.writeLong(v);
            }
            if (r.rules == null) { // read off the wire, ids never needed: the block as it came
                out.writeInt(r.ruleIdBytes.length);
                out.write(r.ruleIdBytes);
            } else {
                if (ids == null) {
                    ids = new DataOutputSerializer(256);
                }
                ids.clear();
                for (String id : r.rules) {
                    written.write(id, ids);
                }
                out.writeInt(ids.length());
                out.write(ids.getSharedBuffer(), 0, ids.length());
            }
            writeRecord(r, out);
        }

        private void writeRecord(Routed r, DataOutputView out) throws IOException {
            out.writeBoolean(r.record != null);
            if (r.record != null) {
                TelemetrySerializer.INSTANCE.serialize(r.record, out, written);
            }
        }

        @Override
        public Routed deserialize(DataInputView in) throws IOException {
            if (recent == null) {
                recent = new RecentStrings();
            }
            Routed r = new Routed();
            r.key = CompactStrings.read(in, recent);
            int n = in.readInt();
            if (n >= 0) {
                if (in.readBoolean()) {
                    r.versions = new long[n];
                    for (int i = 0; i < n; i++) {
                        r.versions[i] = in.readLong();
                    }
                    int length = in.readInt();
                    if (length < 0) {
                        throw new IOException("corrupt routed record: rule ids of " + length + " bytes");
                    }
                    r.ruleIdBytes = new byte[length];
                    in.readFully(r.ruleIdBytes);
                } else {
                    r.rules = new String[n];
                    for (int i = 0; i < n; i++) {
                        r.rules[i] = CompactStrings.read(in, recent);
                    }
                }
            }
            r.record = in.readBoolean() ? TelemetrySerializer.INSTANCE.deserializeFields(in, recent) : null;
            return r;
        }

        /** The {@code n} ids of a block as {@link #serialize} wrote it. */
        static String[] ruleIds(byte[] block, int n) {
            DataInputDeserializer in = new DataInputDeserializer(block);
            String[] ids = new String[n];
            try {
                for (int i = 0; i < n; i++) {
                    ids[i] = CompactStrings.read(in);
                }
            } catch (IOException e) {
                throw new IllegalStateException("corrupt routed record: its rule ids do not read back", e);
            }
            if (in.available() != 0) {
                throw new IllegalStateException("corrupt routed record: " + in.available() + " bytes after its ids");
            }
            return ids;
        }

        @Override
        public TypeSerializerSnapshot<Routed> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    /** The snapshot Flink asks for; routed records are never kept in state. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Routed> {
        public Snapshot() {
            super(RoutedSerializer::new);
        }
    }
}
