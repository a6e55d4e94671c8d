package io.vigil.model;

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
 * Flink's type for {@link Ingested}, what a source emits: a serializer of our own instead of Flink's POJO serializer.
 * The source is chained to the stage that splits off dead letters, and Flink copies a record at every chained
 * hand-over with the type's serializer: the POJO serializer copied each one reflectively (3% of the source's thread in
 * {@code bench e2e}). An {@code Ingested} is never changed once emitted, so a copy is the record itself, as for
 * {@link Telemetry}. Where the source is not chained (a test that adds a stage after it), the record crosses the
 * network in a few bytes more than its telemetry.
 */
public final class IngestedTypeInfo extends SerializerTypeInfo<Ingested> {
    private static final long serialVersionUID = 1L;

    public static final IngestedTypeInfo INSTANCE = new IngestedTypeInfo();

    private IngestedTypeInfo() {
        super(Ingested.class, IngestedSerializer.INSTANCE);
    }

    /** Found by Flink through {@code @TypeInfo} on {@link Ingested}. */
    public static final class Factory extends TypeInfoFactory<Ingested> {
        @Override
        public TypeInformation<Ingested> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }

    /**
     * One byte saying which of the two is set (bit 1 the telemetry, bit 2 the dead letter), then the telemetry as
     * {@link TelemetrySerializer} writes it and the dead letter's fields in declaration order.
     */
    public static final class IngestedSerializer extends NetworkOnlySerializer<Ingested> {
        private static final long serialVersionUID = 1L;
        public static final IngestedSerializer INSTANCE = new IngestedSerializer();

        private static final int TELEMETRY = 1;
        private static final int DEAD_LETTER = 2;

        @Override
        public boolean isImmutableType() {
            return true;
        }

        @Override
        public Ingested createInstance() {
            return new Ingested();
        }

        @Override
        public Ingested copy(Ingested from) {
            return from;
        }

        @Override
        public void serialize(Ingested i, DataOutputView out) throws IOException {
            out.writeByte((i.telemetry != null ? TELEMETRY : 0) | (i.deadLetter != null ? DEAD_LETTER : 0));
            if (i.telemetry != null) {
                TelemetrySerializer.INSTANCE.serialize(i.telemetry, out);
            }
            DeadLetter d = i.deadLetter;
            if (d != null) {
                if (d.raw == null) {
                    out.writeInt(-1);
                } else {
                    out.writeInt(d.raw.length);
                    out.write(d.raw);
                }
                CompactStrings.write(d.origin, out);
                CompactStrings.write(d.format, out);
                CompactStrings.write(d.reason, out);
                CompactStrings.write(d.detail, out);
                out.writeLong(d.rejectedAt);
            }
        }

        @Override
        public Ingested deserialize(DataInputView in) throws IOException {
            int set = in.readUnsignedByte();
            if ((set & ~(TELEMETRY | DEAD_LETTER)) != 0) {
                throw new IOException("corrupt ingested record: flags " + set);
            }
            Ingested i = new Ingested();
            if ((set & TELEMETRY) != 0) {
                i.telemetry = TelemetrySerializer.INSTANCE.deserialize(in);
            }
            if ((set & DEAD_LETTER) != 0) {
                DeadLetter d = new DeadLetter();
                int length = in.readInt();
                if (length >= 0) {
                    d.raw = new byte[length];
                    in.readFully(d.raw);
                }
                d.origin = CompactStrings.read(in);
                d.format = CompactStrings.read(in);
                d.reason = CompactStrings.read(in);
                d.detail = CompactStrings.read(in);
                d.rejectedAt = in.readLong();
                i.deadLetter = d;
            }
            return i;
        }

        @Override
        public TypeSerializerSnapshot<Ingested> snapshotConfiguration() {
            return new Snapshot();
        }
    }

    /** The snapshot Flink asks for; ingested records are never kept in state. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Ingested> {
        public Snapshot() {
            super(() -> IngestedSerializer.INSTANCE);
        }
    }
}
