package io.vigil.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.vigil.incident.Incident;
import io.vigil.incident.TimelineEntry;
import io.vigil.model.Alert;
import io.vigil.model.DeadLetter;
import io.vigil.model.Rollup;
import io.vigil.model.Telemetry;
import io.vigil.privacy.PrivacyPolicy.Action;
import io.vigil.privacy.PrivacyPolicy.DetectorRule;
import io.vigil.privacy.PrivacyPolicy.FieldRule;
import io.vigil.privacy.PrivacyPolicy.Stage;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a {@link PrivacyPolicy} to what the job reads and writes: a record before detection, and every output
 * (alerts with their key, message, annotations and evidence; rollups' labels; dead letters' bytes and details).
 *
 * <p>Redacting twice gives what redacting once gave: pseudonyms and placeholders are never matched or hashed again.
 * Not thread-safe; one per operator instance.
 */
public final class Redactor {
    /** Receives one count per action applied and per detector match, for the metrics. */
    public interface Tally {
        void count(String group, String name);

        Tally NONE = (g, n) -> {};
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FIELD_CACHE = 4096;

    private final PrivacyPolicy policy;
    private final Pseudonyms pseudonyms;
    private final Tally tally;
    private final List<DetectorRule> before;
    private final List<DetectorRule> outputs;
    private final Map<String, Object> beforeFields = new HashMap<>();
    private final Map<String, Object> outputFields = new HashMap<>();
    private final Spans spans = new Spans();
    private static final Object NO_RULE = new Object();

    /** {@code pseudonyms} may be null only when the policy hashes nothing. */
    public Redactor(PrivacyPolicy policy, Pseudonyms pseudonyms, Tally tally) {
        if (policy.usesHash() && pseudonyms == null) {
            throw new IllegalArgumentException(
                    "the privacy policy " + policy.source + " hashes values but no hash key" + " was given");
        }
        this.policy = policy;
        this.pseudonyms = pseudonyms;
        this.tally = tally == null ? Tally.NONE : tally;
        this.before = policy.detectors(Stage.BEFORE_DETECTION);
        this.outputs = policy.detectors(Stage.OUTPUTS);
    }

    public PrivacyPolicy policy() {
        return policy;
    }

    // --- records

    /** The record as the given stage sees it: {@code t} itself when nothing changes, else a redacted copy. */
    public Telemetry telemetry(Telemetry t, Stage stage) {
        Telemetry c = null;
        seen.clear();
        Map<String, String> attributes = map(t.attributes, stage);
        Map<String, String> resource = map(t.resource, stage);
        String name = repeated(text("name", t.name, stage));
        String body = repeated(text("body", t.body, stage));
        String traceId = id("trace_id", t.traceId, stage);
        String spanId = id("span_id", t.spanId, stage);
        String parent = id("parent_span_id", t.parentSpanId, stage);
        long timestamp = t.timestamp;
        FieldRule ts = field("timestamp", stage);
        if (ts != null && ts.action() == Action.GENERALIZE && Generalize.minute(timestamp) != timestamp) {
            timestamp = Generalize.minute(timestamp);
            tally.count("action", Action.GENERALIZE.id);
        }
        if (name != t.name
                || body != t.body
                || traceId != t.traceId
                || spanId != t.spanId
                || parent != t.parentSpanId
                || attributes != t.attributes
                || resource != t.resource
                || timestamp != t.timestamp) {
            c = copy(t);
            c.name = name;
            c.body = body;
            c.traceId = traceId;
            c.spanId = spanId;
            c.parentSpanId = parent;
            c.attributes = attributes;
            c.resource = resource;
            c.timestamp = timestamp;
        }
        return c == null ? t : c;
    }

    /** A new record with the fields of {@code t} (records are shared between operators, never changed in place). */
    static Telemetry copy(Telemetry t) {
        Telemetry c = new Telemetry();
        c.signal = t.signal;
        c.timestamp = t.timestamp;
        c.resource = t.resource;
        c.attributes = t.attributes;
        c.name = t.name;
        c.value = t.value;
        c.unit = t.unit;
        c.metricType = t.metricType;
        c.count = t.count;
        c.sum = t.sum;
        c.min = t.min;
        c.max = t.max;
        c.severity = t.severity;
        c.severityNumber = t.severityNumber;
        c.body = t.body;
        c.traceId = t.traceId;
        c.spanId = t.spanId;
        c.parentSpanId = t.parentSpanId;
        c.kind = t.kind;
        c.status = t.status;
        c.durationMs = t.durationMs;
        return c;
    }

    /** The redacted value of a top-level text field; the same instance when unchanged, null when dropped. */
    private String text(String field, String v, Stage stage) {
        if (v == null) {
            return null;
        }
        return sameIfEqual(v, value(field, v, stage));
    }

    private static String sameIfEqual(String v, String r) {
        return r != null && r.equals(v) ? v : r;
    }

    /**
     * A trace or span id at {@code stage}: its field rule when it has one; an id (16 or 32 lowercase hex digits, as
     * every decoder writes ids) is not free text and is kept as it is. Ids are random: one of decimal digits alone
     * can pass the card check, and rewriting it would cut the span from its trace. Skipping them also spares the
     * detectors a scan of every span's ids, which gain nothing from it.
     */
    private String id(String field, String v, Stage stage) {
        if (v == null) {
            return null;
        }
        FieldRule f = field(field, stage);
        if (f == null && isHexId(v)) {
            return v;
        }
        return sameIfEqual(v, value(f, v, stage));
    }

    static boolean isHexId(String v) {
        int n = v.length();
        if (n != 16 && n != 32) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = v.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    /** The map with its values redacted; the same instance when nothing changed. */
    private Map<String, String> map(Map<String, String> m, Stage stage) {
        if (m == null || m.isEmpty()) {
            return m;
        }
        Map<String, String> out = null;
        for (Map.Entry<String, String> e : m.entrySet()) {
            String v = e.getValue();
            String r = v == null ? null : value(e.getKey(), v, stage);
            if (v != null && (r == null || !r.equals(v))) {
                if (out == null) {
                    out = new LinkedHashMap<>(m);
                }
                if (r == null) {
                    out.remove(e.getKey());
                } else {
                    out.put(e.getKey(), r);
                }
            }
        }
        return out == null ? m : out;
    }

    /**
     * The value of the field named {@code field} at {@code stage}: its field rule when it has one, else the free-text
     * detectors; null when the rule drops it.
     */
    public String value(String field, String v, Stage stage) {
        return value(field == null ? null : field(field, stage), v, stage);
    }

    /** The value under the field rule {@code f} (null: none, so the free-text detectors) at {@code stage}. */
    private String value(FieldRule f, String v, Stage stage) {
        if (f != null) {
            String r = apply(f, v);
            if (v.length() >= MIN_REPEATED && !v.equals(r)) {
                seen.put(v, r == null ? "<dropped>" : r);
            }
            return r;
        }
        return scan(v, stage);
    }

    /**
     * Values a field rule changed in the record being redacted, raw to replacement: where the record's free text
     * repeats one (a log body that names the user of its {@code user.name}), it is replaced there too.
     */
    private final Map<String, String> seen = new LinkedHashMap<>();

    /** Shorter values are not looked for in free text: "ab" would be replaced inside unrelated words' neighbours. */
    private static final int MIN_REPEATED = 3;

    /** {@code text} with every value in {@link #seen} replaced where it stands as a word. */
    private String repeated(String text) {
        if (text == null || seen.isEmpty()) {
            return text;
        }
        String out = text;
        for (Map.Entry<String, String> e : seen.entrySet()) {
            out = replaceWord(out, e.getKey(), e.getValue());
        }
        return out.equals(text) ? text : out;
    }

    private FieldRule field(String name, Stage stage) {
        Map<String, Object> cache = stage == Stage.OUTPUTS ? outputFields : beforeFields;
        Object r = cache.get(name);
        if (r == null) {
            FieldRule f = policy.field(name, stage);
            if (cache.size() >= FIELD_CACHE) {
                cache.clear(); // attribute names are bounded in practice; this bounds them when they are not
            }
            cache.put(name, f == null ? NO_RULE : f);
            return f;
        }
        return r == NO_RULE ? null : (FieldRule) r;
    }

    /** Applies a field rule to a value. */
    String apply(FieldRule f, String v) {
        switch (f.action()) {
            case DROP:
                tally.count("action", Action.DROP.id);
                return null;
            case HASH:
                if (Pseudonyms.isPseudonym(v)) {
                    return v;
                }
                tally.count("action", Action.HASH.id);
                return pseudonyms.of(v);
            case GENERALIZE:
                String g = Generalize.value(v);
                if (g == null) {
                    // neither an address nor a time: nothing coarser to keep, so nothing is kept
                    tally.count("action", Action.MASK.id);
                    return mask(v, 0, 0);
                }
                if (!g.equals(v)) {
                    tally.count("action", Action.GENERALIZE.id);
                }
                return g;
            case MASK:
            default:
                String m = mask(v, f.keepPrefix(), f.keepSuffix());
                if (!m.equals(v)) {
                    tally.count("action", Action.MASK.id);
                }
                return m;
        }
    }

    /** Stars every character but the kept prefix and suffix; all of them when the value is too short to keep any. */
    static String mask(String v, int prefix, int suffix) {
        int n = v.length();
        boolean keep = prefix + suffix < n;
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(keep && (i < prefix || i >= n - suffix) ? v.charAt(i) : '*');
        }
        return b.toString();
    }

    /**
     * Values the stage's detectors found nothing in, the last one per slot of their hash. Attribute values, span
     * names and log templates repeat from record to record; comparing with the value seen last is cheaper than
     * reading it again character by character, which the scan was (a fifth of the router's thread in a profile).
     * Only clean values are kept: a value with a match is scanned every time, so its counts stay per occurrence. The
     * policy of a redactor never changes (a new policy gets a new redactor), so neither does a value's outcome.
     */
    private final String[] cleanBefore = new String[CLEAN_SLOTS];

    private final String[] cleanOutputs = new String[CLEAN_SLOTS];

    /**
     * 4,096 values per stage (a few hundred KB for attribute-sized values, 1 MB at most): the end-to-end benchmark's
     * 1,500 distinct attribute values (user names, addresses) evicted one another from 1,024 slots, and the scan stayed
     * a seventh of the router's thread.
     */
    private static final int CLEAN_SLOTS = 4096;

    /** Longer values (log bodies with ids in them) seldom repeat; they are not kept. */
    private static final int CLEAN_LONGEST = 256;

    /** The free-text detectors of {@code stage} applied to {@code s}; {@code s} itself when nothing matched. */
    public String scan(String s, Stage stage) {
        List<DetectorRule> rules = stage == Stage.OUTPUTS ? outputs : before;
        if (rules.isEmpty() || s == null || s.length() < 3) {
            return s;
        }
        String[] clean = stage == Stage.OUTPUTS ? cleanOutputs : cleanBefore;
        int slot = -1;
        if (s.length() <= CLEAN_LONGEST) {
            int h = s.hashCode();
            slot = (h ^ (h >>> 16)) & (CLEAN_SLOTS - 1);
            if (s.equals(clean[slot])) {
                return s;
            }
        }
        spans.clear();
        int shape = TextDetector.shape(s);
        for (DetectorRule r : rules) {
            r.detector().find(s, shape, spans);
        }
        if (spans.size() == 0) {
            if (slot >= 0) {
                clean[slot] = s;
            }
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        int pos = 0;
        for (int k : spans.byStart()) {
            TextDetector d = spans.detectors.get(k);
            int start = spans.start(k);
            int end = spans.end(k);
            b.append(s, pos, start);
            tally.count("detector", d.id);
            if (policy.detectors.get(d).with() == PrivacyPolicy.Replacement.HASH) {
                String p = d.placeholder;
                b.append(p, 0, p.length() - 1)
                        .append(':')
                        .append(pseudonyms.of(s.substring(start, end)))
                        .append('>');
            } else {
                b.append(d.placeholder);
            }
            pos = end;
        }
        return b.append(s, pos, s.length()).toString();
    }

    // --- outputs

    /** An alert as sinks may see it: key fields, key, texts rendered from them, labels and evidence redacted. */
    public Alert alert(Alert a) {
        Map<String, String> replaced = new LinkedHashMap<>();
        if (a.keyFields != null && !a.keyFields.isEmpty()) {
            Map<String, String> kf = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : a.keyFields.entrySet()) {
                String v = e.getValue();
                String r = v == null ? null : value(e.getKey(), v, Stage.OUTPUTS);
                if (v != null && !v.equals(r)) {
                    replaced.put(v, r == null ? "<dropped>" : r);
                }
                kf.put(e.getKey(), r == null && v != null ? "<dropped>" : r);
            }
            a.keyFields = kf;
        }
        if (a.service != null) {
            String r = value("service.name", a.service, Stage.OUTPUTS);
            if (!a.service.equals(r)) {
                replaced.put(a.service, r == null ? "<dropped>" : r);
                a.service = r == null ? "<dropped>" : r;
            }
        }
        a.key = key(a.key, replaced);
        a.ruleName = rendered(a.ruleName, replaced);
        a.message = rendered(a.message, replaced);
        a.annotations = renderedMap(a.annotations, replaced, false);
        a.labels = renderedMap(a.labels, replaced, true);
        if (a.evidence != null && !a.evidence.isEmpty()) {
            List<String> ev = new ArrayList<>(a.evidence.size());
            for (String e : a.evidence) {
                ev.add(json(e));
            }
            a.evidence = ev;
        }
        return a;
    }

    /**
     * An incident as sinks may see it: its group value (and texts naming it) and the error records it samples
     * redacted. Its member alerts' texts in the timeline and the suspected cause were redacted as alerts before the
     * incident was built from them; they go through the rendered-text replacement again for the group value.
     */
    public Incident incident(Incident i) {
        Map<String, String> replaced = new LinkedHashMap<>();
        if (i.groupValue != null) {
            String r = value(i.groupField == null ? "service.name" : i.groupField, i.groupValue, Stage.OUTPUTS);
            if (!i.groupValue.equals(r)) {
                replaced.put(i.groupValue, r == null ? "<dropped>" : r);
                i.groupValue = r == null ? "<dropped>" : r;
            }
        }
        i.title = rendered(i.title, replaced);
        if (i.timeline != null) {
            for (TimelineEntry e : i.timeline) {
                e.message = rendered(e.message, replaced);
            }
        }
        if (i.suspectedCause != null) {
            i.suspectedCause.message = rendered(i.suspectedCause.message, replaced);
        }
        if (i.errorLogs != null && !i.errorLogs.isEmpty()) {
            List<String> logs = new ArrayList<>(i.errorLogs.size());
            for (String e : i.errorLogs) {
                logs.add(json(e));
            }
            i.errorLogs = logs;
        }
        return i;
    }

    /** A rollup as sinks may see it: its service and label values redacted (by label name, else by detectors). */
    public Rollup rollup(Rollup r) {
        if (r.service != null) {
            String s = value("service.name", r.service, Stage.OUTPUTS);
            r.service = s == null ? "<dropped>" : s;
        }
        if (r.labels != null && !r.labels.isEmpty()) {
            Map<String, String> out = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : r.labels.entrySet()) {
                String v = e.getValue() == null ? null : value(e.getKey(), e.getValue(), Stage.OUTPUTS);
                out.put(e.getKey(), v == null && e.getValue() != null ? "<dropped>" : v);
            }
            r.labels = out;
        }
        return r;
    }

    /** A dead letter as sinks may see it: its bytes kept, redacted or dropped as the policy says; its detail redacted. */
    public DeadLetter deadLetter(DeadLetter d) {
        d.detail = d.detail == null ? null : scan(d.detail, Stage.OUTPUTS);
        d.origin = d.origin == null ? null : scan(d.origin, Stage.OUTPUTS);
        switch (policy.deadLetters) {
            case KEEP:
                break;
            case DROP:
                if (d.raw != null && d.raw.length > 0) {
                    tally.count("action", "drop_bytes");
                    d.raw = new byte[0];
                }
                break;
            case REDACT:
            default:
                d.raw = bytes(d.raw);
        }
        return d;
    }

    /**
     * Raw bytes redacted: JSON is redacted field by field ({@link #json}); other UTF-8 text by the detectors; bytes that
     * are not UTF-8 (protobuf) are scanned as Latin-1, which maps each byte to one character and back, so the text
     * they embed is redacted and every other byte is kept as it was.
     */
    public byte[] bytes(byte[] raw) {
        if (raw == null || raw.length == 0) {
            return raw;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(raw))
                    .toString();
        } catch (CharacterCodingException e) {
            String latin = new String(raw, StandardCharsets.ISO_8859_1);
            String r = scan(latin, Stage.OUTPUTS);
            return r == latin ? raw : r.getBytes(StandardCharsets.ISO_8859_1);
        }
        String trimmed = text.strip();
        String r = trimmed.startsWith("{") || trimmed.startsWith("[") ? jsonLines(text) : scan(text, Stage.OUTPUTS);
        return r == text ? raw : r.getBytes(StandardCharsets.UTF_8);
    }

    /** Each line redacted as JSON when it parses, else as text. */
    private String jsonLines(String text) {
        String[] lines = text.split("\n", -1);
        boolean changed = false;
        for (int i = 0; i < lines.length; i++) {
            String r = json(lines[i]);
            if (r != lines[i]) {
                lines[i] = r;
                changed = true;
            }
        }
        return changed ? String.join("\n", lines) : text;
    }

    /**
     * JSON redacted value by value, each under the name of its field: canonical records ({@code attributes: {user.name:
     * ...}}), OTLP's {@code {"key": "user.name", "value": {"stringValue": ...}}} and any other object. Text that is not
     * JSON goes through the detectors. Returns {@code s} itself when nothing changed.
     */
    public String json(String s) {
        if (s == null || s.isBlank()) {
            return s;
        }
        JsonNode root;
        try {
            root = JSON.readTree(s);
        } catch (Exception e) {
            return scan(s, Stage.OUTPUTS);
        }
        if (root == null || !root.isContainerNode()) {
            return scan(s, Stage.OUTPUTS);
        }
        seen.clear();
        boolean changed = walk(root, null);
        changed |= !seen.isEmpty() && repeatedIn(root);
        return changed ? root.toString() : s;
    }

    /** Replaces the values in {@link #seen} in every text under {@code node}; true if any changed. */
    private boolean repeatedIn(JsonNode node) {
        boolean changed = false;
        if (node instanceof ObjectNode o) {
            Map<String, JsonNode> set = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                JsonNode v = e.getValue();
                if (v.isContainerNode()) {
                    changed |= repeatedIn(v);
                } else if (v.isTextual()) {
                    String r = repeated(v.asText());
                    if (r != v.asText()) {
                        set.put(e.getKey(), TextNode.valueOf(r));
                    }
                }
            }
            set.forEach(o::set);
            changed |= !set.isEmpty();
        } else if (node instanceof ArrayNode arr) {
            for (int i = 0; i < arr.size(); i++) {
                JsonNode v = arr.get(i);
                if (v.isContainerNode()) {
                    changed |= repeatedIn(v);
                } else if (v.isTextual()) {
                    String r = repeated(v.asText());
                    if (r != v.asText()) {
                        arr.set(i, TextNode.valueOf(r));
                        changed = true;
                    }
                }
            }
        }
        return changed;
    }

    /** Redacts the values under {@code node}, the value of the field {@code name} (null: unnamed); true if changed. */
    private boolean walk(JsonNode node, String name) {
        boolean changed = false;
        if (node instanceof ObjectNode o) {
            JsonNode key = o.get("key");
            JsonNode value = o.get("value");
            if (key != null && key.isTextual() && value != null && value.isObject() && o.size() == 2) {
                String field = key.asText();
                if (field(field, Stage.OUTPUTS) != null
                        && field(field, Stage.OUTPUTS).action() == Action.DROP) {
                    tally.count("action", Action.DROP.id);
                    o.set("value", JSON.createObjectNode().put("stringValue", "<dropped>"));
                    return true;
                }
                return walkOtlpValue((ObjectNode) value, field);
            }
            Iterator<Map.Entry<String, JsonNode>> it = o.properties().iterator();
            List<String> drop = new ArrayList<>();
            Map<String, JsonNode> set = new LinkedHashMap<>();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String k = e.getKey();
                JsonNode v = e.getValue();
                String childName = k.equals("attributes") || k.equals("resource") ? null : k;
                if (v.isContainerNode()) {
                    changed |= walk(v, childName);
                } else if (v.isTextual()) {
                    String r = childName == null
                            ? scan(v.asText(), Stage.OUTPUTS)
                            : value(childName, v.asText(), Stage.OUTPUTS);
                    if (r == null) {
                        drop.add(k);
                    } else if (!r.equals(v.asText())) {
                        set.put(k, TextNode.valueOf(r));
                    }
                } else if (v.isIntegralNumber() && "timestamp".equals(childName)) {
                    FieldRule ts = field("timestamp", Stage.OUTPUTS);
                    long t = v.asLong();
                    if (ts != null && ts.action() == Action.GENERALIZE && Generalize.minute(t) != t) {
                        tally.count("action", Action.GENERALIZE.id);
                        set.put(k, LongNode.valueOf(Generalize.minute(t)));
                    }
                }
            }
            drop.forEach(o::remove);
            set.forEach(o::set);
            return changed || !drop.isEmpty() || !set.isEmpty();
        }
        if (node instanceof ArrayNode arr) {
            for (int i = 0; i < arr.size(); i++) {
                JsonNode v = arr.get(i);
                if (v.isContainerNode()) {
                    changed |= walk(v, name);
                } else if (v.isTextual()) {
                    String r = name == null ? scan(v.asText(), Stage.OUTPUTS) : value(name, v.asText(), Stage.OUTPUTS);
                    if (r == null || !r.equals(v.asText())) {
                        arr.set(i, TextNode.valueOf(r == null ? "<dropped>" : r));
                        changed = true;
                    }
                }
            }
        }
        return changed;
    }

    /** OTLP's AnyValue ({@code stringValue}, {@code arrayValue}, ...) of the attribute {@code field}. */
    private boolean walkOtlpValue(ObjectNode value, String field) {
        boolean changed = false;
        JsonNode sv = value.get("stringValue");
        if (sv != null && sv.isTextual()) {
            String r = value(field, sv.asText(), Stage.OUTPUTS);
            if (r == null || !r.equals(sv.asText())) {
                value.put("stringValue", r == null ? "<dropped>" : r);
                changed = true;
            }
        }
        for (String container : new String[] {"arrayValue", "kvlistValue"}) {
            JsonNode c = value.get(container);
            if (c != null && c.isContainerNode()) {
                changed |= walk(c, field);
            }
        }
        return changed;
    }

    /** The alert key with each raw key value replaced (values are joined by the unit separator). */
    private String key(String key, Map<String, String> replaced) {
        if (key == null) {
            return null;
        }
        String[] parts = key.split("\u001f", -1);
        boolean changed = false;
        for (int i = 0; i < parts.length; i++) {
            String r = replaced.get(parts[i]);
            if (r == null) {
                r = scan(parts[i], Stage.OUTPUTS);
            }
            if (!r.equals(parts[i])) {
                parts[i] = r;
                changed = true;
            }
        }
        return changed ? String.join("\u001f", parts) : key;
    }

    /** Text rendered from key values (messages, annotations): each raw value replaced where it stands as a word. */
    String rendered(String text, Map<String, String> replaced) {
        if (text == null) {
            return null;
        }
        // Detectors first: an email address that starts with a user name is an email address.
        String out = scan(text, Stage.OUTPUTS);
        for (Map.Entry<String, String> e : replaced.entrySet()) {
            out = replaceWord(out, e.getKey(), e.getValue());
        }
        return out;
    }

    private Map<String, String> renderedMap(Map<String, String> m, Map<String, String> replaced, boolean byName) {
        if (m == null || m.isEmpty()) {
            return m;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : m.entrySet()) {
            String v = e.getValue();
            if (v != null && byName && field(e.getKey(), Stage.OUTPUTS) != null) {
                String r = value(e.getKey(), v, Stage.OUTPUTS);
                out.put(e.getKey(), r == null ? "<dropped>" : r);
            } else {
                out.put(e.getKey(), rendered(v, replaced));
            }
        }
        return out;
    }

    /** {@code text} with {@code word} replaced where it is not part of a longer word (so "al" spares "alice"). */
    static String replaceWord(String text, String word, String with) {
        if (word.isEmpty()) {
            return text;
        }
        int i = text.indexOf(word);
        if (i < 0) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.length());
        int pos = 0;
        while (i >= 0) {
            int end = i + word.length();
            boolean left = i == 0 || !TextDetector.alnum(text.charAt(i - 1)) || !TextDetector.alnum(word.charAt(0));
            boolean right = end == text.length()
                    || !TextDetector.alnum(text.charAt(end))
                    || !TextDetector.alnum(word.charAt(word.length() - 1));
            if (left && right) {
                b.append(text, pos, i).append(with);
                pos = end;
            }
            i = text.indexOf(word, end);
        }
        return b.append(text, pos, text.length()).toString();
    }
}
