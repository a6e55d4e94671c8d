package io.vigil.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.junit.jupiter.api.Test;

class RecentStringsTest {
    private static String read(RecentStrings recent, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return recent.read(new DataInputDeserializer(utf8), utf8.length);
    }

    @Test
    void theSameBytesGiveTheSameStringAndOtherBytesTheirOwn() throws IOException {
        RecentStrings recent = new RecentStrings();
        String first = read(recent, "service.name");
        assertEquals("service.name", first);
        assertSame(first, read(recent, new String("service.name")), "taken from the table, not made anew");
        assertEquals("service.version", read(recent, "service.version"));
        assertEquals("", read(recent, ""));
        String accents = read(recent, "zürich-ä€😀");
        assertEquals("zürich-ä€😀", accents, "UTF-8 beyond ASCII");
        assertSame(accents, read(recent, "zürich-ä€😀"));
    }

    @Test
    void stringsSharingASlotEvictOneAnotherButReadBackAsWritten() throws IOException {
        String a = "rule-a";
        int slot = slot(a);
        List<String> sharing = new ArrayList<>();
        for (int i = 0; sharing.size() < 3; i++) {
            if (slot(String.valueOf(i)) == slot) {
                sharing.add(String.valueOf(i));
            }
        }
        RecentStrings recent = new RecentStrings();
        for (int round = 0; round < 3; round++) {
            assertEquals(a, read(recent, a));
            for (String other : sharing) {
                assertEquals(other, read(recent, other), "round " + round);
            }
        }
    }

    @Test
    void longStringsAreReadButNotKept() throws IOException {
        RecentStrings recent = new RecentStrings();
        String body = "x".repeat(RecentStrings.LONGEST + 1);
        String first = read(recent, body);
        assertEquals(body, first);
        assertNotSame(first, read(recent, body));
        String longest = "y".repeat(RecentStrings.LONGEST);
        assertSame(read(recent, longest), read(recent, longest), "up to the longest kept");
    }

    @Test
    void aRecordIsReadFromItsOwnCopyWhateverItsSize() throws IOException {
        RecentStrings recent = new RecentStrings();
        for (int n : new int[] {3, 5000, RecentStrings.LARGEST_RECORD_BUFFER + 1, 7}) {
            byte[] bytes = new byte[n + 2];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) i;
            }
            DataInputDeserializer in = new DataInputDeserializer(bytes);
            in.readByte();
            DataInputView record = recent.record(in, n);
            byte[] back = new byte[n];
            record.readFully(back);
            for (int i = 0; i < n; i++) {
                assertEquals(bytes[i + 1], back[i], "byte " + i + " of a record of " + n);
            }
            assertEquals(1, in.available(), "the record's bytes taken from the input, no more");
        }
    }

    private static int slot(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return RecentStrings.slotOf(utf8, utf8.length);
    }
}
