package io.vigil.ingest.geo;

import com.maxmind.db.Reader;
import com.maxmind.geoip2.DatabaseReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code .mmdb} file and the reader of its current version. {@link #reloadIfChanged()} opens the file again when its
 * size, modification time or identity changed (a new release written beside it and moved over it, as
 * {@code geoipupdate} does); a new version that cannot be read keeps the one in use, with a warning.
 *
 * <p>Readers map the file into memory, so the file must be replaced (moved over), not rewritten in place.
 */
final class GeoIpDatabase implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GeoIpDatabase.class);

    /** What a database holds, from its metadata's database_type. */
    enum Kind {
        CITY,
        COUNTRY,
        ASN
    }

    private final Path file;
    private final String flag;
    private final boolean asn;
    private DatabaseReader reader;
    private Kind kind;
    private Version version;

    /**
     * @param asn true for the ASN database, false for the city/country one
     * @throws IllegalArgumentException naming the flag when the file is missing, not a MaxMind DB or of the wrong kind
     */
    GeoIpDatabase(Path file, String flag, boolean asn) {
        this.file = file;
        this.flag = flag;
        this.asn = asn;
        try {
            Version v = Version.of(file);
            DatabaseReader r = open();
            this.reader = r;
            this.kind = kindOf(r);
            this.version = v;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(flag + " " + file + ": no such file", e);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    flag + " " + file + ": cannot be read as a MaxMind database (.mmdb): " + e.getMessage(), e);
        }
    }

    DatabaseReader reader() {
        return reader;
    }

    Kind kind() {
        return kind;
    }

    /** True when a new version of the file was opened. */
    boolean reloadIfChanged() {
        Version now;
        try {
            now = Version.of(file);
        } catch (IOException e) {
            return false; // gone for a moment (being replaced): keep the version in use
        }
        if (now.equals(version)) {
            return false;
        }
        try {
            DatabaseReader r = open();
            Kind k = kindOf(r);
            // The old reader is not closed: a lookup on another thread may still hold it, and its mapping is freed
            // with it by the garbage collector.
            reader = r;
            kind = k;
            version = now;
            LOG.info(
                    "{} {}: reloaded ({} built {})",
                    flag,
                    file,
                    r.getMetadata().getDatabaseType(),
                    r.getMetadata().getBuildDate().toInstant());
            return true;
        } catch (IOException | RuntimeException e) {
            version = now; // warn once per version, not once per check
            LOG.warn("{} {}: the new version cannot be read, keeping the one in use: {}", flag, file, e.getMessage());
            return false;
        }
    }

    private DatabaseReader open() throws IOException {
        return new DatabaseReader.Builder(file.toFile())
                .fileMode(Reader.FileMode.MEMORY_MAPPED)
                .build();
    }

    private Kind kindOf(DatabaseReader r) {
        String type = r.getMetadata().getDatabaseType();
        // geoip2 chooses its model by these same words in database_type (DB-IP's ASN Lite says "compat=GeoLite2-ASN").
        Kind k = type.contains("GeoLite2-ASN")
                ? Kind.ASN
                : type.contains("City") ? Kind.CITY : type.contains("Country") ? Kind.COUNTRY : null;
        if (asn ? k != Kind.ASN : (k == null || k == Kind.ASN)) {
            throw new IllegalArgumentException("database type '" + type + "' is not "
                    + (asn
                            ? "an ASN database (GeoLite2-ASN, DB-IP ASN Lite)"
                            : "a city or country database (GeoLite2-City/-Country, DB-IP City/Country Lite)"));
        }
        return k;
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            LOG.debug("closing {}: {}", file, e.getMessage());
        }
    }

    /** What tells one version of the file from the next. */
    private record Version(Object fileKey, long size, long modified) {
        static Version of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Version(a.fileKey(), a.size(), a.lastModifiedTime().toMillis());
        }
    }
}
