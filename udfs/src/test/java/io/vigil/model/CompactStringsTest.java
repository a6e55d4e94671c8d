package io.vigil.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** Every string, unpaired surrogates included, reads back exactly; plain ones take the UTF-8 form. */
class CompactStringsTest {
    @Test
    void everyStringReadsBackExactly() throws IOException {
        List<String> strings = new ArrayList<>(List.of("", "a", "why?", "\u00e9t\u00e9", "\ud83d\ude00", "\u4e2d"));
        for (int length = 0; length < 20; length++) {
            for (int at = 0; at <= length; at++) {
                String ascii = "x".repeat(length);
                strings.add(ascii.substring(0, at) + "\ud800" + ascii.substring(at)); // '?' once encoded
                strings.add(ascii.substring(0, at) + "?" + ascii.substring(at));
                strings.add(ascii.substring(0, at) + "\udc00?\ud83d\ude00" + ascii.substring(at));
            }
        }
        for (String s : strings) {
            assertEquals(s, roundTrip(s), () -> "string of " + s.length() + " chars");
        }
        assertNull(roundTrip(null));
    }

    @Test
    void aPlainStringIsWrittenAsUtf8AndALoneSurrogateFallsBack() throws IOException {
        assertEquals(2 * 4 + 1, header("why?"), "UTF-8 form with four bytes");
        assertEquals(2, header("x\ud800y"), "fallback form");
        assertEquals(0, header(null));
    }

    private static String roundTrip(String s) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(16);
        CompactStrings.write(s, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        String back = CompactStrings.read(in);
        assertEquals(0, in.available(), "every byte read");
        return back;
    }

    private static int header(String s) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(16);
        CompactStrings.write(s, out);
        return out.getCopyOfBuffer()[0];
    }
}
