package io.vigil.detect.list;

import io.vigil.detect.Detector;
import io.vigil.rules.Params;
import io.vigil.rules.RuleKind;
import io.vigil.rules.RuleSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code list}: a deny list (alert when a field's value is on the list) or an allow list (alert when it is not).
 * Entries are exact values or, for addresses, CIDR ranges (IPv4 and IPv6).
 *
 * <pre>
 * kind: list
 * key_by: [source.ip]
 * params:
 *   field: source.ip
 *   mode: deny             # deny (default) or allow
 *   values: [203.0.113.0/24, 198.51.100.23]
 *   file: ../lists/known-bad-ips.txt   # optional, relative to the rule file; one entry per line, '#' comments
 * </pre>
 *
 * <p>A {@code file} is read when the rule is compiled from its file and its entries are written into the rule's
 * {@code values}, so the rule that travels to the task managers (and the rules topic) carries the list itself, not a
 * path that exists only where the rule was loaded. Changing a list file therefore means reloading the rule.
 */
public final class ListKind implements RuleKind {
    static final Set<String> PARAMS = Set.of("field", "mode", "values", "file");
    static final int MAX_ENTRIES = 100_000;

    @Override
    public String name() {
        return "list";
    }

    @Override
    public boolean resolves() {
        return false; // each alert marks one moment
    }

    @Override
    public Detector compile(RuleSpec spec, Params p) {
        p.rejectUnknown(PARAMS);
        String field = p.requireString("field");
        boolean deny = "deny".equals(p.oneOf("mode", "deny", "deny", "allow"));
        List<String> entries = new ArrayList<>(p.strings("values"));
        if (p.has("file")) {
            List<String> fromFile = readFile(spec, p, p.string("file", ""));
            if (fromFile != null) {
                entries.addAll(fromFile);
                spec.params.remove("file");
                spec.params.put("values", new ArrayList<>(entries));
            }
        }
        if (entries.isEmpty() && !p.has("file")) {
            p.problem("params", "a list rule needs values or a file", "e.g. values: [203.0.113.0/24]");
        }
        if (entries.size() > MAX_ENTRIES) {
            p.problem("params.values", "at most " + MAX_ENTRIES + " entries, not " + entries.size(), null);
        }
        Set<String> exact = new HashSet<>();
        List<IpRange> ranges = new ArrayList<>();
        for (String e : entries) {
            if (IpRange.looksLikeIp(e)) {
                try {
                    ranges.add(IpRange.parse(e));
                } catch (IllegalArgumentException ex) {
                    p.problem("params.values", ex.getMessage(), null);
                }
            } else {
                exact.add(e);
            }
        }
        return new ListDetector(field, deny, exact, ranges);
    }

    /** The entries of a list file next to the rule's file; null (with a problem) when it cannot be read. */
    private static List<String> readFile(RuleSpec spec, Params p, String name) {
        if (spec.source == null || spec.source.lastIndexOf(':') <= 0) {
            p.problem(
                    "params.file",
                    "a list file can only be used by a rule loaded from a file",
                    "put the entries in values:");
            return null;
        }
        Path ruleFile = Path.of(spec.source.substring(0, spec.source.lastIndexOf(':')));
        Path dir = ruleFile.toAbsolutePath().getParent();
        Path file = dir == null ? Path.of(name) : dir.resolve(name).normalize();
        List<String> out = new ArrayList<>();
        try {
            int n = 0;
            for (String line : Files.readAllLines(file)) {
                n++;
                int hash = line.indexOf('#');
                String e = (hash >= 0 ? line.substring(0, hash) : line).trim();
                if (e.isEmpty()) {
                    continue;
                }
                if (IpRange.looksLikeIp(e)) {
                    try {
                        IpRange.parse(e);
                    } catch (IllegalArgumentException ex) {
                        p.problem("params.file", file + ":" + n + ": " + ex.getMessage(), null);
                        continue;
                    }
                }
                out.add(e);
            }
        } catch (IOException e) {
            p.problem("params.file", "cannot read list file " + file + ": " + e.getMessage(), null);
            return null;
        }
        return out;
    }
}
