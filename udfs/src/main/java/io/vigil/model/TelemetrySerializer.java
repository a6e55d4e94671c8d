package io.vigil.model;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Writes a {@link Telemetry} record compactly: every record crosses the network at least once (to the detectors) and
 * sequence detectors keep records in state. Hand-written rather than Flink's reflective PojoSerializer, which writes
 * every field of every signal with a null flag each and reflects per field (13% of the job's CPU in a profile). Here
 * the numeric fields that are not zero are named by one bit mask and only they are written, and strings are
 * {@link CompactStrings} (layout 2; layout 1 used Flink's per-char {@link StringValue} encoding).
 *
 * <p>Layout 3 puts the length of the encoded record before it (four bytes, so that it can be filled in once the record
 * is written), so a record read with {@link #deserialize} keeps its encoded bytes ({@link Telemetry#encoded}) and is
 * written again by copying them. The router reads every record from the source and writes it once more per group of
 * matching rules; encoding it anew (a UTF-8 encoding and a scan of every string) was a quarter of the router's thread
 * in a profile with the 32 starter rules, a twentieth after. Records are never changed once decoded (see
 * {@link Telemetry}), so the bytes stay those of the record; a record built or changed by an operator is a new object
 * without them ({@link Telemetry#copy()}, the privacy policy's copy).
 *
 * <p>The layout is versioned through {@link Snapshot}: a change of fields adds a format version, reads the older ones,
 * and state written with the POJO serializer (Vigil before this serializer) is migrated on restore.
 */
public final class TelemetrySerializer extends TypeSerializer<Telemetry> {
    private static final long serialVersionUID = 1L;

    /** The layout written now. */
    static final int FORMAT = 3;

    public static final TelemetrySerializer INSTANCE = new TelemetrySerializer(FORMAT);

    /** The layout this serializer reads and writes: {@link #FORMAT}, or an older one to read state written with it. */
    private final int format;

    private TelemetrySerializer(int format) {
        this.format = format;
    }

    /** The serializer of an older layout, to read state written with it (see {@link Snapshot#restoreSerializer}). */
    static TelemetrySerializer ofFormat(int format) {
        return format == FORMAT ? INSTANCE : new TelemetrySerializer(format);
    }

    // Bits of the mask that says which numeric fields are written.
    private static final int VALUE = 1;
    private static final int COUNT = 1 << 1;
    private static final int SUM = 1 << 2;
    private static final int MIN = 1 << 3;
    private static final int MAX = 1 << 4;
    private static final int SEVERITY_NUMBER = 1 << 5;
    private static final int DURATION = 1 << 6;

    private static final Signal[] SIGNALS = Signal.values();
    private static final MetricType[] METRIC_TYPES = MetricType.values();

    /**
     * Records are never changed once decoded: every operator after the decoder only reads them (enrichment that adds
     * fields does so before a record is emitted). So they are treated as immutable and "copies" share the record:
     * Flink copies every record it hands to a chained operator unless object reuse is on, and deep copies of the
     * attribute maps were 7% of the job's CPU in a profile.
     */
    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public TypeSerializer<Telemetry> duplicate() {
        return this; // stateless
    }

    @Override
    public Telemetry createInstance() {
        return new Telemetry();
    }

    @Override
    public Telemetry copy(Telemetry from) {
        return from;
    }

    @Override
    public Telemetry copy(Telemetry from, Telemetry reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(Telemetry t, DataOutputView out) throws IOException {
        serialize(t, out, null);
    }

    /**
     * Writes a record, taking the encodings of the strings that repeat across records (attribute keys and values,
     * name, unit, severity, kind, status) from {@code recent} where it wrote the same ones last (see
     * {@link RecentEncodings}; null: each string is encoded anew). Bodies and ids rarely repeat and are always encoded.
     */
    public void serialize(Telemetry t, DataOutputView out, RecentEncodings recent) throws IOException {
        if (format < 3) {
            writeFields(t, out, recent); // layouts without a length are only written by tests of reading them
            return;
        }
        byte[] encoded = t.encoded;
        if (encoded != null) {
            out.writeInt(encoded.length);
            out.write(encoded);
            return;
        }
        if (out instanceof DataOutputSerializer direct) {
            int at = direct.length();
            direct.writeInt(0);
            writeFields(t, direct, recent);
            direct.writeIntUnsafe(direct.length() - at - 4, at); // within what was written: no bounds to check
            return;
        }
        // Any other output (a heap snapshot's stream) cannot be written back into: the record goes through a buffer
        // of its own first, to know its length. Not on a per-record path: the network and RocksDB take the one above.
        DataOutputSerializer buffer = new DataOutputSerializer(256);
        writeFields(t, buffer, recent);
        out.writeInt(buffer.length());
        out.write(buffer.getSharedBuffer(), 0, buffer.length());
    }

    private void writeFields(Telemetry t, DataOutputView out, RecentEncodings recent) throws IOException {
        out.writeByte(t.signal == null ? 0 : t.signal.ordinal() + 1);
        out.writeLong(t.timestamp);
        writeMap(t.resource, out, recent);
        writeMap(t.attributes, out, recent);
        writeString(t.name, out, recent);
        int mask = (set(t.value) ? VALUE : 0)
                | (t.count != 0 ? COUNT : 0)
                | (set(t.sum) ? SUM : 0)
                | (set(t.min) ? MIN : 0)
                | (set(t.max) ? MAX : 0)
                | (t.severityNumber != 0 ? SEVERITY_NUMBER : 0)
                | (set(t.durationMs) ? DURATION : 0);
        out.writeByte(mask);
        if ((mask & VALUE) != 0) {
            out.writeDouble(t.value);
        }
        if ((mask & COUNT) != 0) {
            out.writeLong(t.count);
        }
        if ((mask & SUM) != 0) {
            out.writeDouble(t.sum);
        }
        if ((mask & MIN) != 0) {
            out.writeDouble(t.min);
        }
        if ((mask & MAX) != 0) {
            out.writeDouble(t.max);
        }
        if ((mask & SEVERITY_NUMBER) != 0) {
            out.writeInt(t.severityNumber);
        }
        if ((mask & DURATION) != 0) {
            out.writeDouble(t.durationMs);
        }
        out.writeByte(t.metricType == null ? 0 : t.metricType.ordinal() + 1);
        writeString(t.unit, out, recent);
        writeString(t.severity, out, recent);
        writeString(t.body, out, null);
        writeString(t.traceId, out, null);
        writeString(t.spanId, out, null);
        writeString(t.parentSpanId, out, null);
        writeString(t.kind, out, recent);
        writeString(t.status, out, recent);
    }

    /** Reads a record and keeps its encoded bytes with it, so writing it again copies them. */
    @Override
    public Telemetry deserialize(DataInputView in) throws IOException {
        if (format < 3) {
            return readFields(in, null);
        }
        byte[] encoded = encoded(in);
        DataInputDeserializer fields = new DataInputDeserializer(encoded);
        Telemetry t = readFields(fields, null);
        if (fields.available() != 0) {
            throw new IOException("corrupt Telemetry record: " + fields.available() + " of its " + encoded.length
                    + " bytes left unread");
        }
        t.encoded = encoded;
        return t;
    }

    /**
     * Reads a record without keeping its bytes: for records that are not written again and may be held in heap state
     * (the detectors' routed records), where the bytes would double the memory a kept record takes. The strings that
     * repeat across records (attribute keys and values, name, unit, severity, kind, status) are taken from
     * {@code recent} where it read the same ones last; message bodies and trace and span ids are made anew, as they
     * rarely repeat. The record is copied out of the input in one step first ({@link RecentStrings#record}).
     */
    public Telemetry deserializeFields(DataInputView in, RecentStrings recent) throws IOException {
        if (format < 3) {
            return readFields(in, recent);
        }
        int n = length(in);
        DataInputDeserializer fields = recent.record(in, n);
        Telemetry t = readFields(fields, recent);
        if (fields.available() != 0) {
            throw new IOException(
                    "corrupt Telemetry record: " + fields.available() + " of its " + n + " bytes left unread");
        }
        return t;
    }

    /** The bytes of the next record, after its length. */
    private static byte[] encoded(DataInputView in) throws IOException {
        byte[] encoded = new byte[length(in)];
        in.readFully(encoded);
        return encoded;
    }

    private static int length(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("corrupt Telemetry record length " + n);
        }
        return n;
    }

    private Telemetry readFields(DataInputView in, RecentStrings recent) throws IOException {
        Telemetry t = new Telemetry();
        int signal = in.readUnsignedByte();
        t.signal = signal == 0 ? null : SIGNALS[signal - 1];
        t.timestamp = in.readLong();
        t.resource = readMap(in, recent);
        t.attributes = readMap(in, recent);
        t.name = readString(in, recent);
        int mask = in.readUnsignedByte();
        t.value = (mask & VALUE) != 0 ? in.readDouble() : 0;
        t.count = (mask & COUNT) != 0 ? in.readLong() : 0;
        t.sum = (mask & SUM) != 0 ? in.readDouble() : 0;
        t.min = (mask & MIN) != 0 ? in.readDouble() : 0;
        t.max = (mask & MAX) != 0 ? in.readDouble() : 0;
        t.severityNumber = (mask & SEVERITY_NUMBER) != 0 ? in.readInt() : 0;
        t.durationMs = (mask & DURATION) != 0 ? in.readDouble() : 0;
        int metricType = in.readUnsignedByte();
        t.metricType = metricType == 0 ? null : METRIC_TYPES[metricType - 1];
        t.unit = readString(in, recent);
        t.severity = readString(in, recent);
        t.body = readString(in);
        t.traceId = readString(in);
        t.spanId = readString(in);
        t.parentSpanId = readString(in);
        t.kind = readString(in, recent);
        t.status = readString(in, recent);
        return t;
    }

    @Override
    public Telemetry deserialize(Telemetry reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        if (format < 3) {
            serialize(deserialize(in), out);
            return;
        }
        byte[] encoded = encoded(in);
        // Not out.write(in, n): Flink's growing output buffer does not grow for it.
        out.writeInt(encoded.length);
        out.write(encoded);
    }

    /** Zero is the field's default and is not written; -0.0 and NaN are, so every value reads back bit for bit. */
    private static boolean set(double d) {
        return Double.doubleToRawLongBits(d) != 0;
    }

    private void writeMap(Map<String, String> m, DataOutputView out, RecentEncodings recent) throws IOException {
        if (m == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(m.size());
        for (Map.Entry<String, String> e : m.entrySet()) {
            writeString(e.getKey(), out, recent);
            writeString(e.getValue(), out, recent);
        }
    }

    private Map<String, String> readMap(DataInputView in, RecentStrings recent) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        Map<String, String> m = new LinkedHashMap<>(Math.max(4, n * 2));
        for (int i = 0; i < n; i++) {
            m.put(readString(in, recent), readString(in, recent));
        }
        return m;
    }

    private void writeString(String s, DataOutputView out, RecentEncodings recent) throws IOException {
        if (format == 1) {
            StringValue.writeString(s, out);
        } else if (recent != null) {
            recent.write(s, out);
        } else {
            CompactStrings.write(s, out);
        }
    }

    private String readString(DataInputView in) throws IOException {
        return readString(in, null);
    }

    /** Reads a string that often repeats across records: from {@code recent} if there is one (see {@link RecentStrings}). */
    private String readString(DataInputView in, RecentStrings recent) throws IOException {
        return format == 1 ? StringValue.readString(in) : CompactStrings.read(in, recent);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof TelemetrySerializer other && other.format == format;
    }

    @Override
    public int hashCode() {
        return 31 * TelemetrySerializer.class.hashCode() + format;
    }

    @Override
    public TypeSerializerSnapshot<Telemetry> snapshotConfiguration() {
        return new Snapshot(format);
    }

    /** Records the layout version, so a savepoint written by this version can be read by later ones. */
    public static final class Snapshot implements TypeSerializerSnapshot<Telemetry> {
        private int format;

        /** For Flink, which reads the snapshot with {@link #readSnapshot}. */
        public Snapshot() {
            this(FORMAT);
        }

        Snapshot(int format) {
            this.format = format;
        }

        @Override
        public int getCurrentVersion() {
            return 1;
        }

        @Override
        public void writeSnapshot(DataOutputView out) throws IOException {
            out.writeInt(format);
        }

        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader)
                throws IOException {
            format = in.readInt();
            if (format < 1 || format > FORMAT) {
                throw new IOException("Telemetry state of layout " + format + " was written by a newer Vigil ("
                        + "this one reads layouts 1 to " + FORMAT + ")");
            }
        }

        @Override
        public TypeSerializer<Telemetry> restoreSerializer() {
            return ofFormat(format);
        }

        @Override
        public TypeSerializerSchemaCompatibility<Telemetry> resolveSchemaCompatibility(
                TypeSerializerSnapshot<Telemetry> old) {
            if (old instanceof Snapshot s) {
                return s.format == FORMAT
                        ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                        : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
            }
            if (old instanceof PojoSerializerSnapshot) {
                // Written by Vigil's earlier POJO serialization: read with it, rewritten with this one.
                return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
            }
            return TypeSerializerSchemaCompatibility.incompatible();
        }
    }
}
