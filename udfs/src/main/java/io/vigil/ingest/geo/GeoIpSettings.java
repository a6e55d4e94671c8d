package io.vigil.ingest.geo;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the GeoIP and ASN databases are and how the enrichment treats them: a MaxMind-format {@code .mmdb} file of
 * cities or countries (GeoLite2, DB-IP Lite), an ASN one, either or both. {@link #check()} opens each once at start-up,
 * so a missing or unreadable file is an error naming its flag before the job runs.
 */
public final class GeoIpSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** City or country database, or null (text: a {@link Path} is not serializable). */
    private final String geoDb;
    /** ASN database, or null. */
    private final String asnDb;
    /** How often the files are checked for a new version; zero checks before every lookup (tests). */
    public final Duration reloadCheck;
    /** Addresses remembered per enrichment instance (least recently used go first). */
    public final int cacheSize;
    /** The flag or setting that named each file, for error messages ({@code --geoip-db} or {@code geoip-db}). */
    public final String geoFlag;

    public final String asnFlag;

    public GeoIpSettings(Path geoDb, Path asnDb, Duration reloadCheck, int cacheSize, String geoFlag, String asnFlag) {
        if (geoDb == null && asnDb == null) {
            throw new IllegalArgumentException("GeoIP enrichment needs a geo database, an ASN database or both");
        }
        if (reloadCheck == null || reloadCheck.isNegative()) {
            throw new IllegalArgumentException("the reload check interval must be zero or more, not " + reloadCheck);
        }
        if (cacheSize < 0) {
            throw new IllegalArgumentException("the GeoIP cache size must be zero or more, not " + cacheSize);
        }
        this.geoDb = geoDb == null ? null : geoDb.toString();
        this.asnDb = asnDb == null ? null : asnDb.toString();
        this.reloadCheck = reloadCheck;
        this.cacheSize = cacheSize;
        this.geoFlag = geoFlag;
        this.asnFlag = asnFlag;
    }

    /** City or country database, or null. */
    public Path geoDb() {
        return geoDb == null ? null : Path.of(geoDb);
    }

    /** ASN database, or null. */
    public Path asnDb() {
        return asnDb == null ? null : Path.of(asnDb);
    }

    /** The command-line defaults: files checked every 60 s, 10,000 addresses cached. */
    public static GeoIpSettings of(Path geoDb, Path asnDb, String geoFlag, String asnFlag) {
        return new GeoIpSettings(geoDb, asnDb, Duration.ofSeconds(60), 10_000, geoFlag, asnFlag);
    }

    /** The same files with another reload check interval. */
    public GeoIpSettings withReloadCheck(Duration every) {
        return new GeoIpSettings(geoDb(), asnDb(), every, cacheSize, geoFlag, asnFlag);
    }

    /**
     * Opens each database once, as the job will.
     *
     * @throws IllegalArgumentException naming the flag, the file and what is wrong with it
     */
    public void check() {
        GeoIpLookup lookup = new GeoIpLookup(this);
        lookup.close();
    }
}
