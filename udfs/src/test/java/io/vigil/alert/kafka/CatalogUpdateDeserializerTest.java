package io.vigil.alert.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.alert.CatalogUpdate;
import io.vigil.alert.ServiceCatalog;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the job makes of each kind of record on the service-catalog topic, and what it logs about bad ones. */
class CatalogUpdateDeserializerTest {
    private final List<CatalogUpdate> out = new ArrayList<>();
    private final Collector<CatalogUpdate> collector = new Collector<>() {
        @Override
        public void collect(CatalogUpdate u) {
            out.add(u);
        }

        @Override
        public void close() {}
    };

    /** The deserializer's WARN lines, captured from log4j. */
    private final List<String> warnings = new ArrayList<>();

    private final AbstractAppender appender = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
        @Override
        public void append(LogEvent event) {
            if (event.getLevel() == Level.WARN) {
                warnings.add(event.getMessage().getFormattedMessage());
            }
        }
    };
    private final Logger logger = (Logger) LogManager.getLogger(CatalogUpdateDeserializer.class);
    private Level level;

    @BeforeEach
    void capture() {
        appender.start();
        level = logger.getLevel();
        logger.setLevel(Level.WARN); // the tests' default log4j configuration logs errors only
        logger.addAppender(appender);
    }

    @AfterEach
    void release() {
        logger.removeAppender(appender);
        logger.setLevel(level);
        appender.stop();
    }

    private void read(long offset, String key, String value) {
        new CatalogUpdateDeserializer()
                .deserialize(
                        new ConsumerRecord<>(
                                "vigil-services",
                                0,
                                offset,
                                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                                value == null ? null : value.getBytes(StandardCharsets.UTF_8)),
                        collector);
    }

    @Test
    void anEntryBecomesAnUpdateWithTheFilesFieldNames() {
        read(
                0,
                "payments",
                "{\"owner\": \"pay@shop.example\", \"team\": \"payments\", \"tier\": \"0\", "
                        + "\"runbook\": \"https://runbooks/payments\", \"channel\": \"#payments\", "
                        + "\"dashboards\": [\"https://d/payments\", \"https://d/psp\"]}");
        assertEquals(1, out.size());
        CatalogUpdate u = out.get(0);
        assertEquals("payments", u.service);
        assertEquals("pay@shop.example", u.entry.owner);
        assertEquals("payments", u.entry.team);
        assertEquals("0", u.entry.tier);
        assertEquals("https://runbooks/payments", u.entry.runbook);
        assertEquals("#payments", u.entry.channel);
        assertEquals(List.of("https://d/payments", "https://d/psp"), u.entry.dashboards);
        assertEquals(List.of(), warnings);
    }

    @Test
    void aTombstoneOrEmptyValueIsARemoval() {
        read(0, "payments", null);
        read(1, "cart", "");
        assertEquals(2, out.size());
        assertTrue(out.get(0).isRemoval());
        assertEquals("payments", out.get(0).service);
        assertTrue(out.get(1).isRemoval());
        assertNull(out.get(1).entry);
        assertEquals(List.of(), warnings);
    }

    @Test
    void badRecordsAreLoggedWithWhereAndWhyAndDropped() {
        read(3, "payments", "{not json");
        read(4, "payments", "{\"owner\": \"a@b\", \"runbok\": \"https://x\"}");
        read(5, null, "{\"owner\": \"a@b\"}");
        read(6, "payments", "null");
        read(7, "payments", "[\"a@b\"]");
        assertEquals(List.of(), out);
        assertEquals(5, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("vigil-services-0@3"), warnings.get(0));
        assertTrue(warnings.get(0).contains("not a catalog entry"), warnings.get(0));
        assertTrue(warnings.get(1).contains("vigil-services-0@4"), warnings.get(1));
        assertTrue(
                warnings.get(1).contains("unknown field 'runbok' (known fields: " + ServiceCatalog.FIELDS + ")"),
                warnings.get(1));
        assertTrue(warnings.get(2).contains("without key at vigil-services-0@5"), warnings.get(2));
        assertTrue(warnings.get(3).contains("vigil-services-0@6"), warnings.get(3));
        assertTrue(warnings.get(4).contains("vigil-services-0@7"), warnings.get(4));
    }

    @Test
    void anEntryWrittenAsJsonReadsBackTheSame() {
        ServiceCatalog.Entry e = new ServiceCatalog.Entry();
        e.owner = "pay@shop.example";
        e.dashboards = List.of("https://d/payments");
        String json = ServiceCatalog.entryToJson(e);
        assertEquals(
                "{\"owner\":\"pay@shop.example\",\"dashboards\":[\"https://d/payments\"]}",
                json,
                "the file's field names, empty fields left out");
        read(0, "payments", json);
        assertEquals("pay@shop.example", out.get(0).entry.owner);
        assertEquals(List.of("https://d/payments"), out.get(0).entry.dashboards);
    }
}
