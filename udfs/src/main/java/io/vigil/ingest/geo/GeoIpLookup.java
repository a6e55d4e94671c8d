package io.vigil.ingest.geo;

import com.maxmind.geoip2.exception.GeoIp2Exception;
import com.maxmind.geoip2.model.AbstractCountryResponse;
import com.maxmind.geoip2.model.AsnResponse;
import com.maxmind.geoip2.model.CityResponse;
import io.vigil.detect.list.IpRange;
import io.vigil.model.Telemetry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Adds {@code <side>.geo.country_iso_code}, {@code <side>.geo.city_name}, {@code <side>.as.number} and
 * {@code <side>.as.organization.name} (ECS names) for the {@code source.ip}, {@code client.ip} and
 * {@code destination.ip} of a record, from the databases of a {@link GeoIpSettings}. Private, loopback, link-local and
 * other reserved addresses are not looked up; attributes a record already has are kept.
 *
 * <p>Not thread-safe: one per enrichment instance. Lookups are cached (bounded, least recently used first out) and the
 * cache is emptied when a database is reloaded; the files are checked for a new version at most every
 * {@link GeoIpSettings#reloadCheck}, on the calling thread, which costs a file stat.
 */
public final class GeoIpLookup implements AutoCloseable {
    /** The address fields looked up, each with the prefix of the fields it gets. */
    static final List<String> SIDES = List.of("source", "client", "destination");

    /** Addresses that name no place: RFC 1918 and 6598, loopback, link-local, documentation, benchmark, reserved. */
    private static final List<IpRange> NOT_PUBLIC = List.of(
            IpRange.parse("0.0.0.0/8"),
            IpRange.parse("10.0.0.0/8"),
            IpRange.parse("100.64.0.0/10"),
            IpRange.parse("127.0.0.0/8"),
            IpRange.parse("169.254.0.0/16"),
            IpRange.parse("172.16.0.0/12"),
            IpRange.parse("192.0.0.0/24"),
            IpRange.parse("192.0.2.0/24"),
            IpRange.parse("192.168.0.0/16"),
            IpRange.parse("198.18.0.0/15"),
            IpRange.parse("198.51.100.0/24"),
            IpRange.parse("203.0.113.0/24"),
            IpRange.parse("224.0.0.0/3"), // multicast and the reserved 240/4, broadcast included
            IpRange.parse("::/127"), // unspecified and loopback
            IpRange.parse("64:ff9b:1::/48"),
            IpRange.parse("100::/64"),
            IpRange.parse("2001:db8::/32"),
            IpRange.parse("fc00::/7"),
            IpRange.parse("fe80::/10"),
            IpRange.parse("ff00::/8"));

    /** What one address looked up to: the attributes to add under its side's prefix, without the prefix. */
    private static final Map<String, String> NOTHING = Map.of();

    private final GeoIpSettings settings;
    private final GeoIpDatabase geo;
    private final GeoIpDatabase asn;
    private final Map<String, Map<String, String>> cache;
    private final long checkEveryNanos;
    private long nextCheck;

    /** Lookups that failed on a database error (counted, the record passes unenriched). */
    long errors;

    /** @throws IllegalArgumentException naming the flag of a database that cannot be opened */
    public GeoIpLookup(GeoIpSettings settings) {
        this.settings = settings;
        this.geo = settings.geoDb() == null ? null : new GeoIpDatabase(settings.geoDb(), settings.geoFlag, false);
        try {
            this.asn = settings.asnDb() == null ? null : new GeoIpDatabase(settings.asnDb(), settings.asnFlag, true);
        } catch (IllegalArgumentException e) {
            if (geo != null) {
                geo.close();
            }
            throw e;
        }
        int max = settings.cacheSize;
        this.cache = new LinkedHashMap<>(Math.min(max, 1024), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Map<String, String>> eldest) {
                return size() > max;
            }
        };
        this.checkEveryNanos = settings.reloadCheck.toNanos();
        this.nextCheck = System.nanoTime() + checkEveryNanos;
    }

    /** The record with the attributes its addresses look up to: {@code record} itself when none, else a copy. */
    public Telemetry enrich(Telemetry record) {
        reloadWhenDue();
        Map<String, String> added = null;
        for (String side : SIDES) {
            String ip = record.attributes.get(side + ".ip");
            if (ip == null || ip.isEmpty()) {
                continue;
            }
            Map<String, String> found = lookup(ip);
            for (Map.Entry<String, String> e : found.entrySet()) {
                String key = side + "." + e.getKey();
                if (!record.attributes.containsKey(key)) {
                    if (added == null) {
                        added = new LinkedHashMap<>();
                    }
                    added.put(key, e.getValue());
                }
            }
        }
        if (added == null) {
            return record;
        }
        Telemetry copy = record.copy();
        copy.attributes.putAll(added);
        return copy;
    }

    /** The attributes (without side prefix) that one address looks up to; empty when none. */
    Map<String, String> lookup(String ip) {
        Map<String, String> hit = cache.get(ip);
        if (hit != null) {
            return hit;
        }
        Map<String, String> found = find(ip);
        if (settings.cacheSize > 0) {
            cache.put(ip, found);
        }
        return found;
    }

    private Map<String, String> find(String ip) {
        byte[] bytes = IpRange.address(ip);
        if (bytes == null || !isPublic(bytes)) {
            return NOTHING;
        }
        InetAddress address;
        try {
            address = InetAddress.getByAddress(bytes); // from bytes: never a DNS lookup
        } catch (UnknownHostException e) {
            return NOTHING;
        }
        Map<String, String> out = new LinkedHashMap<>();
        try {
            if (geo != null) {
                Optional<? extends AbstractCountryResponse> r = geo.kind() == GeoIpDatabase.Kind.CITY
                        ? geo.reader().tryCity(address)
                        : geo.reader().tryCountry(address);
                if (r.isPresent()) {
                    put(out, "geo.country_iso_code", r.get().getCountry().getIsoCode());
                    if (r.get() instanceof CityResponse city) {
                        put(out, "geo.city_name", city.getCity().getName());
                    }
                }
            }
            if (asn != null) {
                Optional<AsnResponse> r = asn.reader().tryAsn(address);
                if (r.isPresent()) {
                    Long number = r.get().getAutonomousSystemNumber();
                    put(out, "as.number", number == null ? null : number.toString());
                    put(out, "as.organization.name", r.get().getAutonomousSystemOrganization());
                }
            }
        } catch (IOException | GeoIp2Exception | RuntimeException e) {
            // A damaged record in the database: this address stays unenriched rather than failing the job.
            errors++;
            return NOTHING;
        }
        return out.isEmpty() ? NOTHING : Map.copyOf(out);
    }

    static boolean isPublic(byte[] address) {
        for (IpRange r : NOT_PUBLIC) {
            if (r.contains(address)) {
                return false;
            }
        }
        return true;
    }

    private static void put(Map<String, String> out, String key, String value) {
        if (value != null && !value.isEmpty()) {
            out.put(key, value);
        }
    }

    private void reloadWhenDue() {
        long now = System.nanoTime();
        if (now - nextCheck < 0) {
            return;
        }
        nextCheck = now + checkEveryNanos;
        boolean reloaded = geo != null && geo.reloadIfChanged();
        reloaded |= asn != null && asn.reloadIfChanged();
        if (reloaded) {
            cache.clear();
        }
    }

    @Override
    public void close() {
        if (geo != null) {
            geo.close();
        }
        if (asn != null) {
            asn.close();
        }
    }
}
