package io.vigil.rollup;

import io.vigil.model.CompactStrings;
import io.vigil.model.NetworkOnlySerializer;
import io.vigil.model.SerializerTypeInfo;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's type information for {@link RollupEvent}, with its hand-written serializer. Every span and log record sent
 * one to the minute rollup (batches now, {@link RollupBatcher}); as a POJO each went through Flink's reflective field
 * access and its char-by-char string encoding (a sixth of the router thread's time in the end-to-end profile, with
 * building the event). Rollup events only cross the network (the minute rollup buffers them in memory and folds them
 * into windows before any snapshot), so the layout needs no migration path; the snapshot exists because Flink asks
 * every serializer for one.
 */
public final class RollupEventTypeInfo extends SerializerTypeInfo<RollupEvent> {
    private static final long serialVersionUID = 1L;

    public static final RollupEventTypeInfo INSTANCE = new RollupEventTypeInfo();

    private RollupEventTypeInfo() {
        super(RollupEvent.class, RollupEventSerializer.INSTANCE);
    }

    /** Found by Flink through {@code @TypeInfo} on {@link RollupEvent}. */
    public static final class Factory extends TypeInfoFactory<RollupEvent> {
        @Override
        public TypeInformation<RollupEvent> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }

    /**
     * Serializes a {@link RollupEvent}: its type as one byte, then service, time and the type's own fields (a batch's
     * counts, latencies and log counts; an event's duration, outcome, severity and rule).
     */
    public static final class RollupEventSerializer extends NetworkOnlySerializer<RollupEvent> {
        private static final long serialVersionUID = 1L;
        public static final RollupEventSerializer INSTANCE = new RollupEventSerializer();

        private static final String[] TYPES = {
            RollupEvent.REQUEST, RollupEvent.LOG, RollupEvent.ALERT, RollupEvent.BATCH
        };

        private static final int BATCH = typeCode(RollupEvent.BATCH);

        @Override
        public RollupEvent createInstance() {
            return new RollupEvent();
        }

        @Override
        public RollupEvent copy(RollupEvent from) {
            RollupEvent e = new RollupEvent();
            e.service = from.service;
            e.timestamp = from.timestamp;
            e.type = from.type;
            e.durationMs = from.durationMs;
            e.error = from.error;
            e.severity = from.severity;
            e.rule = from.rule;
            e.requests = from.requests;
            e.errors = from.errors;
            e.latencies = from.latencies == null ? null : from.latencies.clone();
            e.logs = from.logs == null ? null : new TreeMap<>(from.logs);
            return e;
        }

        @Override
        public void serialize(RollupEvent e, DataOutputView out) throws IOException {
            int code = typeCode(e.type);
            out.writeByte(code);
            if (code == TYPES.length) {
                CompactStrings.write(e.type, out); // not one of the known types (null included): kept as it is
            }
            CompactStrings.write(e.service, out);
            out.writeLong(e.timestamp);
            if (code == BATCH) {
                writeBatch(e, out);
                return;
            }
            out.writeDouble(e.durationMs);
            out.writeBoolean(e.error);
            CompactStrings.write(e.severity, out);
            CompactStrings.write(e.rule, out);
        }

        /** A batch's requests and their latencies, then its log counts by severity (none for null). */
        private static void writeBatch(RollupEvent e, DataOutputView out) throws IOException {
            out.writeInt(e.requests);
            out.writeInt(e.errors);
            for (int i = 0; i < e.requests; i++) {
                out.writeDouble(e.latencies[i]);
            }
            out.writeInt(e.logs == null ? 0 : e.logs.size());
            if (e.logs != null) {
                for (Map.Entry<String, Long> l : e.logs.entrySet()) {
                    CompactStrings.write(l.getKey(), out);
                    out.writeLong(l.getValue());
                }
            }
        }

        private static void readBatch(RollupEvent e, DataInputView in) throws IOException {
            e.requests = in.readInt();
            e.errors = in.readInt();
            if (e.requests > 0) {
                e.latencies = new double[e.requests];
                for (int i = 0; i < e.requests; i++) {
                    e.latencies[i] = in.readDouble();
                }
            }
            int severities = in.readInt();
            if (severities > 0) {
                e.logs = new TreeMap<>();
                for (int i = 0; i < severities; i++) {
                    e.logs.put(CompactStrings.read(in), in.readLong());
                }
            }
        }

        private static int typeCode(String type) {
            for (int i = 0; i < TYPES.length; i++) {
                if (TYPES[i].equals(type)) {
                    return i;
                }
            }
            return TYPES.length;
        }

        @Override
        public RollupEvent deserialize(DataInputView in) throws IOException {
            RollupEvent e = new RollupEvent();
            int code = in.readUnsignedByte();
            if (code < TYPES.length) {
                e.type = TYPES[code];
            } else if (code == TYPES.length) {
                e.type = CompactStrings.read(in);
            } else {
                throw new IOException("corrupt rollup event: type code " + code);
            }
            e.service = CompactStrings.read(in);
            e.timestamp = in.readLong();
            if (code == BATCH) {
                readBatch(e, in);
                return e;
            }
            e.durationMs = in.readDouble();
            e.error = in.readBoolean();
            e.severity = CompactStrings.read(in);
            e.rule = CompactStrings.read(in);
            return e;
        }

        @Override
        public TypeSerializerSnapshot<RollupEvent> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    /** The snapshot Flink asks for; rollup events are never kept in state. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<RollupEvent> {
        public Snapshot() {
            super(() -> RollupEventSerializer.INSTANCE);
        }
    }
}
