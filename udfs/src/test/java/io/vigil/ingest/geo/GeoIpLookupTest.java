package io.vigil.ingest.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.model.Telemetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GeoIP and ASN lookups on databases this test writes ({@link MaxMindDbWriter}), read by MaxMind's reader. */
class GeoIpLookupTest {
    @TempDir
    Path dir;

    private Path cityDb(String isoCode, String country, String city) throws Exception {
        Path file = dir.resolve("city.mmdb");
        new MaxMindDbWriter("GeoLite2-City")
                .put("81.2.69.0/24", MaxMindDbWriter.city(isoCode, country, city))
                .put("2a02:c7f::/32", MaxMindDbWriter.city("NL", "Netherlands", null))
                // Private and documentation ranges mapped too: the enrichment must skip them before the database.
                .put("10.0.0.0/8", MaxMindDbWriter.city("US", "United States", "Nowhere"))
                .put("203.0.113.0/24", MaxMindDbWriter.city("US", "United States", "Nowhere"))
                .write(file);
        return file;
    }

    private Path asnDb() throws Exception {
        Path file = dir.resolve("asn.mmdb");
        new MaxMindDbWriter("GeoLite2-ASN")
                .put("81.2.69.0/24", MaxMindDbWriter.asn(20712, "Andrews & Arnold Ltd"))
                .put("5.6.0.0/16", MaxMindDbWriter.asn(64500, "Example Transit"))
                .write(file);
        return file;
    }

    private static Telemetry sshd(String ip) {
        return Telemetry.log(1_793_588_400_000L, "sshd", "INFO", "Failed password")
                .attr("source.ip", ip)
                .attr("event.action", "ssh_login");
    }

    @Test
    void addsCountryCityAndAsnOfAPublicSourceAddress() throws Exception {
        try (GeoIpLookup lookup = new GeoIpLookup(
                GeoIpSettings.of(cityDb("GB", "United Kingdom", "London"), asnDb(), "--geoip-db", "--asn-db"))) {
            Telemetry in = sshd("81.2.69.142");
            Telemetry out = lookup.enrich(in);

            assertEquals("GB", out.attributes.get("source.geo.country_iso_code"));
            assertEquals("London", out.attributes.get("source.geo.city_name"));
            assertEquals("20712", out.attributes.get("source.as.number"));
            assertEquals("Andrews & Arnold Ltd", out.attributes.get("source.as.organization.name"));
            assertNull(in.attributes.get("source.geo.country_iso_code"), "the decoded record is left as it was");
            assertEquals("81.2.69.142", out.attributes.get("source.ip"));
            assertEquals(in.body, out.body);
        }
    }

    @Test
    void looksUpIpv6AndTheClientAndDestinationAddresses() throws Exception {
        try (GeoIpLookup lookup = new GeoIpLookup(
                GeoIpSettings.of(cityDb("GB", "United Kingdom", "London"), asnDb(), "--geoip-db", "--asn-db"))) {
            Telemetry out = lookup.enrich(Telemetry.log(1L, "web", "INFO", "GET /")
                    .attr("client.ip", "2a02:c7f:1234::7")
                    .attr("destination.ip", "5.6.7.8"));

            assertEquals("NL", out.attributes.get("client.geo.country_iso_code"));
            assertNull(out.attributes.get("client.geo.city_name"), "the record has no city");
            assertEquals("64500", out.attributes.get("destination.as.number"));
            assertNull(out.attributes.get("destination.geo.country_iso_code"), "5.6.0.0/16 is in no geo network");
        }
    }

    @Test
    void privateLoopbackAndReservedAddressesAreNotLookedUp() throws Exception {
        try (GeoIpLookup lookup = new GeoIpLookup(
                GeoIpSettings.of(cityDb("GB", "United Kingdom", "London"), null, "--geoip-db", "--asn-db"))) {
            for (String ip : new String[] {
                "10.1.2.3",
                "203.0.113.45",
                "127.0.0.1",
                "192.168.1.9",
                "172.20.0.1",
                "100.64.0.1",
                "::1",
                "fe80::1",
                "fd00::5",
                "255.255.255.255",
                "not-an-ip",
                "999.1.1.1"
            }) {
                Telemetry in = sshd(ip);
                assertSame(in, lookup.enrich(in), ip);
            }
        }
        assertTrue(GeoIpLookup.isPublic(new byte[] {81, 2, 69, (byte) 142}));
    }

    @Test
    void attributesTheRecordAlreadyHasAreKept() throws Exception {
        try (GeoIpLookup lookup = new GeoIpLookup(
                GeoIpSettings.of(cityDb("GB", "United Kingdom", "London"), null, "--geoip-db", "--asn-db"))) {
            Telemetry out = lookup.enrich(sshd("81.2.69.142").attr("source.geo.country_iso_code", "IE"));

            assertEquals("IE", out.attributes.get("source.geo.country_iso_code"));
            assertEquals("London", out.attributes.get("source.geo.city_name"));
        }
    }

    @Test
    void aReplacedDatabaseIsReadOnTheNextCheckAndTheCacheForgetsTheOldAnswers() throws Exception {
        Path city = cityDb("GB", "United Kingdom", "London");
        try (GeoIpLookup lookup = new GeoIpLookup(
                GeoIpSettings.of(city, null, "--geoip-db", "--asn-db").withReloadCheck(Duration.ZERO))) {
            assertEquals("GB", lookup.enrich(sshd("81.2.69.142")).attributes.get("source.geo.country_iso_code"));

            cityDb("DE", "Germany", "Berlin"); // written beside it and moved over it, as geoipupdate does
            Telemetry out = lookup.enrich(sshd("81.2.69.142"));

            assertEquals("DE", out.attributes.get("source.geo.country_iso_code"));
            assertEquals("Berlin", out.attributes.get("source.geo.city_name"));

            // A broken new version keeps the one in use.
            Path tmp = dir.resolve("broken.tmp");
            Files.write(tmp, new byte[] {1, 2, 3, 4, 5});
            Files.move(tmp, city, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertEquals("DE", lookup.enrich(sshd("81.2.69.142")).attributes.get("source.geo.country_iso_code"));
        }
    }

    @Test
    void withoutAReloadCheckDueTheDatabaseInUseStays() throws Exception {
        Path city = cityDb("GB", "United Kingdom", "London");
        try (GeoIpLookup lookup = new GeoIpLookup(
                GeoIpSettings.of(city, null, "--geoip-db", "--asn-db").withReloadCheck(Duration.ofDays(1)))) {
            cityDb("DE", "Germany", "Berlin");
            assertEquals("GB", lookup.enrich(sshd("81.2.69.142")).attributes.get("source.geo.country_iso_code"));
        }
    }

    @Test
    void aMissingCorruptOrWrongKindOfDatabaseIsAnErrorNamingTheFlag() throws Exception {
        Path missing = dir.resolve("nope.mmdb");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> GeoIpSettings.of(missing, null, "--geoip-db", "--asn-db").check());
        assertEquals("--geoip-db " + missing + ": no such file", e.getMessage());

        Path corrupt = dir.resolve("corrupt.mmdb");
        Files.writeString(corrupt, "this is not a database");
        e = assertThrows(
                IllegalArgumentException.class,
                () -> GeoIpSettings.of(null, corrupt, "--geoip-db", "--asn-db").check());
        assertTrue(
                e.getMessage().startsWith("--asn-db " + corrupt + ": cannot be read as a MaxMind database"),
                e.getMessage());

        Path asn = asnDb();
        e = assertThrows(
                IllegalArgumentException.class,
                () -> GeoIpSettings.of(asn, null, "--geoip-db", "--asn-db").check());
        assertTrue(
                e.getMessage().contains("--geoip-db") && e.getMessage().contains("'GeoLite2-ASN' is not a city"),
                e.getMessage());
    }

    @Test
    void theCacheIsBoundedAndStillAnswersRight() throws Exception {
        try (GeoIpLookup lookup = new GeoIpLookup(new GeoIpSettings(
                cityDb("GB", "United Kingdom", "London"), null, Duration.ofMinutes(1), 2, "--geoip-db", "--asn-db"))) {
            for (int round = 0; round < 3; round++) {
                for (int host = 1; host < 6; host++) {
                    Map<String, String> found = lookup.lookup("81.2.69." + host);
                    assertEquals("GB", found.get("geo.country_iso_code"));
                }
            }
            assertEquals(0, lookup.errors);
        }
    }
}
