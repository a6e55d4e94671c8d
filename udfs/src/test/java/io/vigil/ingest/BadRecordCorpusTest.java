package io.vigil.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.DeadLetter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every file of {@code badrecords/} (listed in its {@code manifest.tsv}) must end as exactly one dead letter with the
 * expected reason, a detail that says what was wrong, the raw bytes unchanged and the origin kept.
 */
class BadRecordCorpusTest {
    private static final IngestLimits LIMITS = IngestLimits.defaults().withMaxRecordBytes(4096);

    @TestFactory
    List<DynamicTest> everyBadRecordIsADeadLetterWithItsReason() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        String manifest = new String(OtlpDecoderTest.resource("badrecords/manifest.tsv"), StandardCharsets.UTF_8);
        for (String line : manifest.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            String file = f[0];
            String format = f[1];
            String reason = f[2];
            String detail = f[3];
            tests.add(DynamicTest.dynamicTest(file + " as " + format, () -> {
                byte[] raw = OtlpDecoderTest.resource("badrecords/" + file);
                DeadLetter d =
                        Decoded.of(Decoders.forFormat(format, LIMITS), raw).onlyDead();
                assertEquals(reason, d.reason, d.detail);
                assertTrue(d.detail.contains(detail), "detail was: " + d.detail);
                assertArrayEquals(raw, d.raw);
                assertEquals("test:1", d.origin);
                assertEquals(format, d.format);
                assertTrue(d.rejectedAt > 0);
            }));
        }
        assertFalse(tests.isEmpty());
        return tests;
    }

    @Test
    void defaultLimitIsOneMebibyte() {
        byte[] big = new byte[IngestLimits.DEFAULT_MAX_RECORD_BYTES + 1];
        Arrays.fill(big, (byte) ' ');
        for (String format : Decoders.FORMATS) {
            DeadLetter d = Decoded.of(format, big).onlyDead();
            assertEquals(Reasons.OVERSIZE, d.reason, format);
            assertEquals("1048577 bytes exceeds the limit of 1048576 bytes", d.detail);
        }
    }

    @Test
    void nullPayloadIsADeadLetterInEveryFormat() {
        for (String format : Decoders.FORMATS) {
            DeadLetter d = Decoded.of(Decoders.forFormat(format), null).onlyDead();
            assertEquals(Reasons.PARSE_ERROR, d.reason, format);
            assertEquals(0, d.raw.length);
        }
    }
}
