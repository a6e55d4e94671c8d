package io.vigil.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.IOException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Writing through {@link RecentEncodings} gives exactly the bytes {@link CompactStrings#write} gives, whatever was
 * written before: strings that repeat (as new, equal objects, as a decoder makes them), strings that share a slot and
 * evict one another, unpaired surrogates, nulls and strings too long to keep.
 */
class RecentEncodingsTest {
    @Property(tries = 300)
    void writesWhatTheEncoderWrites(@ForAll("writes") List<String> strings) throws IOException {
        RecentEncodings recent = new RecentEncodings();
        DataOutputSerializer cached = new DataOutputSerializer(64);
        DataOutputSerializer plain = new DataOutputSerializer(64);
        for (String drawn : strings) {
            String s = drawn.equals(NULL) ? null : drawn;
            // A new object each time, as a decoder makes: found by equality, not identity.
            String copy = s == null ? null : new String(s);
            recent.write(copy, cached);
            CompactStrings.write(s, plain);
        }
        assertArrayEquals(plain.getCopyOfBuffer(), cached.getCopyOfBuffer());
    }

    @Test
    void moreStringsThanSlotsEvictOneAnotherAndStillWriteTheirOwnBytes() throws IOException {
        RecentEncodings recent = new RecentEncodings();
        DataOutputSerializer cached = new DataOutputSerializer(64);
        DataOutputSerializer plain = new DataOutputSerializer(64);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 10_000; i++) {
                String s = "user-" + (i * 7919 % 10_000);
                recent.write(s, cached);
                CompactStrings.write(s, plain);
            }
        }
        assertArrayEquals(plain.getCopyOfBuffer(), cached.getCopyOfBuffer());
    }

    /** Stands for null among the drawn strings (jqwik draws no nulls from a list). */
    private static final String NULL = "\u0000null";

    @Provide
    Arbitrary<List<String>> writes() {
        // Few distinct strings, so most writes repeat one; lengths around the longest kept; any char, surrogates too.
        Arbitrary<String> string = Arbitraries.strings()
                .withChars("ab?é€\ud800\udc00\ud83d\ude00")
                .ofMinLength(0)
                .ofMaxLength(RecentEncodings.LONGEST + 2);
        Arbitrary<String> pool = Arbitraries.oneOf(string, Arbitraries.just(NULL), Arbitraries.of("x", "y", "service"));
        return pool.list()
                .ofMinSize(1)
                .ofMaxSize(8)
                .flatMap(distinct -> Arbitraries.of(distinct).list().ofMaxSize(200));
    }
}
