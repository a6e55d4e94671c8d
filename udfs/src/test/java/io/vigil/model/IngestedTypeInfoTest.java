package io.vigil.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.junit.jupiter.api.Test;

class IngestedTypeInfoTest {
    private static final IngestedTypeInfo.IngestedSerializer SERIALIZER = IngestedTypeInfo.IngestedSerializer.INSTANCE;

    @Test
    void aCopyIsTheRecordItself() {
        Ingested i = Ingested.of(Telemetry.log(1_000, "cart", "INFO", "ok"));
        assertSame(i, SERIALIZER.copy(i));
    }

    @Test
    void telemetryAndDeadLettersReadBackAsWritten() throws IOException {
        Telemetry t =
                Telemetry.span(60_123, "cart", "GET /api/cart", 12.5, "error").attr("user.name", "zoë");
        assertEquals(t, roundTrip(Ingested.of(t)).telemetry);
        assertNull(roundTrip(Ingested.of(t)).deadLetter);

        DeadLetter d = new DeadLetter();
        d.raw = "{\"broken\": ü".getBytes(StandardCharsets.UTF_8);
        d.origin = "kafka:telemetry/1@42";
        d.format = "json";
        d.reason = "parse_error";
        d.detail = "unexpected end of input at 1:13";
        d.rejectedAt = 1_767_225_600_000L;
        Ingested back = roundTrip(Ingested.dead(d));
        assertNull(back.telemetry);
        assertArrayEquals(d.raw, back.deadLetter.raw);
        assertEquals(
                String.join("|", d.origin, d.format, d.reason, d.detail, Long.toString(d.rejectedAt)),
                String.join(
                        "|",
                        back.deadLetter.origin,
                        back.deadLetter.format,
                        back.deadLetter.reason,
                        back.deadLetter.detail,
                        Long.toString(back.deadLetter.rejectedAt)));

        DeadLetter empty = new DeadLetter(); // every field unset
        Ingested none = roundTrip(Ingested.dead(empty));
        assertNull(none.deadLetter.raw);
        assertNull(none.deadLetter.reason);
        Ingested neither = roundTrip(new Ingested());
        assertNull(neither.telemetry);
        assertNull(neither.deadLetter);
    }

    /** A field added to DeadLetter must be added to the serializer too: this fails until it is. */
    @Test
    void theSerializerWritesEveryFieldOfADeadLetter() {
        Set<String> fields = Arrays.stream(DeadLetter.class.getDeclaredFields())
                .filter(f -> !Modifier.isStatic(f.getModifiers()))
                .map(Field::getName)
                .collect(Collectors.toSet());
        assertEquals(Set.of("raw", "origin", "format", "reason", "detail", "rejectedAt"), fields);
    }

    @Test
    void corruptFlagsAreAnError() {
        DataInputDeserializer in = new DataInputDeserializer(new byte[] {7});
        IOException e = assertThrows(IOException.class, () -> SERIALIZER.deserialize(in));
        assertEquals("corrupt ingested record: flags 7", e.getMessage());
    }

    private static Ingested roundTrip(Ingested i) throws IOException {
        return SerializerRoundTrip.roundTrip(SERIALIZER, i);
    }
}
