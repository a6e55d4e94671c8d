package io.vigil.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/** Writes a value with a Flink serializer and reads it back, for the tests of the hand-written serializers. */
public final class SerializerRoundTrip {
    private SerializerRoundTrip() {}

    /** The bytes {@code s} writes for {@code value}. */
    public static <T> byte[] bytes(TypeSerializer<T> s, T value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        s.serialize(value, out);
        return out.getCopyOfBuffer();
    }

    /** {@code value} written and read back by {@code s}, which must read every byte it wrote. */
    public static <T> T roundTrip(TypeSerializer<T> s, T value) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(bytes(s, value));
        T back = s.deserialize(in);
        assertEquals(0, in.available(), "every byte read");
        return back;
    }
}
