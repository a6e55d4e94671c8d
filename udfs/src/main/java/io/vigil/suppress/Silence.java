package io.vigil.suppress;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.vigil.model.StringListTypeInfo;
import java.io.Serializable;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A silence or maintenance window: alerts whose labels match every matcher ({@link LabelMatcher}, Alertmanager's
 * syntax) are silenced while their event time lies in {@code [startsAt, endsAt)} and, for a recurring window, also in
 * one of its weekday and time-of-day ranges in its time zone. Both bounds are optional (an open window); a recurring
 * window without bounds recurs forever. Times of day are wall-clock times in the zone, so a window keeps its local
 * hours across daylight-saving changes (02:00-04:00 on the night clocks go forward covers one real hour); a range whose
 * end is before its start runs past midnight into the next day ({@code 22:00-02:00}).
 *
 * <p>A POJO so it lives in broadcast state without Kryo; the parsed matchers and ranges are rebuilt on first use. As
 * JSON (the silence topic's value, the silences file's entries):
 *
 * <pre>
 * {"id": "payments-db-migration", "matchers": ["service=\"payments\""],
 *  "starts_at": "2026-12-05T22:00:00Z", "ends_at": "2026-12-06T02:00:00Z",
 *  "created_by": "alice", "comment": "DB migration",
 *  "recurring": {"time_zone": "Europe/Berlin", "weekdays": ["saturday", "monday:friday"], "times": ["02:00-04:00"]}}
 * </pre>
 */
public class Silence implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /** The fields a silence may have, for messages. */
    public static final String FIELDS = "id, matchers, starts_at, ends_at, created_by, comment, recurring";

    public String id;

    @TypeInfo(StringListTypeInfo.class)
    public List<String> matchers = new ArrayList<>();
    /** Epoch ms; {@link Long#MIN_VALUE} when the silence has no start. */
    public long startsAt = Long.MIN_VALUE;
    /** Epoch ms, exclusive; {@link Long#MAX_VALUE} when the silence has no end. */
    public long endsAt = Long.MAX_VALUE;

    public String createdBy;
    public String comment;
    /** IANA time zone of the recurring ranges; null for a one-off silence. */
    public String timeZone;

    @TypeInfo(StringListTypeInfo.class)
    public List<String> weekdays = new ArrayList<>();

    @TypeInfo(StringListTypeInfo.class)
    public List<String> times = new ArrayList<>();

    private transient List<LabelMatcher> parsedMatchers;
    private transient Set<DayOfWeek> days;
    private transient int[][] ranges;
    private transient ZoneId zone;

    public Silence() {}

    /** Checks every field and parses matchers and ranges; IllegalArgumentException saying what is wrong. */
    public Silence validate() {
        if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9._:-]*")) {
            throw new IllegalArgumentException("silence id '" + id
                    + "' must be letters, digits, '.', '_', ':' or '-', like payments-db-migration");
        }
        if (matchers == null || matchers.isEmpty()) {
            throw new IllegalArgumentException("silence '" + id + "' needs at least one matcher, like "
                    + "service=\"payments\" (a silence without matchers would mute every alert)");
        }
        try {
            parsedMatchers = LabelMatcher.parseAll(matchers);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("silence '" + id + "': " + e.getMessage(), e);
        }
        if (endsAt <= startsAt) {
            throw new IllegalArgumentException("silence '" + id + "' ends (" + instant(endsAt)
                    + ") before or when it starts (" + instant(startsAt) + ")");
        }
        boolean recurring = timeZone != null || !weekdays.isEmpty() || !times.isEmpty();
        if (!recurring) {
            if (startsAt == Long.MIN_VALUE && endsAt == Long.MAX_VALUE) {
                throw new IllegalArgumentException("silence '" + id + "' has neither starts_at/ends_at nor a "
                        + "recurring window; give an end (a silence that never ends is easy to forget)");
            }
            return this;
        }
        if (timeZone == null) {
            throw new IllegalArgumentException(
                    "silence '" + id + "': a recurring window needs time_zone, like Europe/Berlin or UTC");
        }
        try {
            zone = ZoneId.of(timeZone);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(
                    "silence '" + id + "': unknown time_zone '" + timeZone + "' (an IANA name like Europe/Berlin)");
        }
        days = weekdays.isEmpty() ? EnumSet.allOf(DayOfWeek.class) : EnumSet.noneOf(DayOfWeek.class);
        for (String w : weekdays) {
            days.addAll(weekdayRange(w));
        }
        List<String> ts = times.isEmpty() ? List.of("00:00-24:00") : times;
        ranges = new int[ts.size()][];
        for (int i = 0; i < ts.size(); i++) {
            ranges[i] = timeRange(ts.get(i));
        }
        return this;
    }

    /** Whether the silence covers this event time (epoch ms). */
    public boolean covers(long eventTime) {
        if (eventTime < startsAt || eventTime >= endsAt) {
            return false;
        }
        if (zone == null && timeZone == null) {
            return true;
        }
        if (zone == null) {
            validate();
        }
        ZonedDateTime local = Instant.ofEpochMilli(eventTime).atZone(zone);
        int second = local.toLocalTime().toSecondOfDay();
        DayOfWeek day = local.getDayOfWeek();
        for (int[] r : ranges) {
            int start = r[0] * 60;
            int end = r[1] * 60;
            if (start < end) {
                if (days.contains(day) && second >= start && second < end) {
                    return true;
                }
            } else if (days.contains(day) && second >= start || days.contains(day.minus(1)) && second < end) {
                return true; // a range past midnight belongs to the weekday it starts on
            }
        }
        return false;
    }

    /** Whether every matcher matches these (Alertmanager) labels. */
    public boolean matches(Map<String, String> labels) {
        if (parsedMatchers == null) {
            parsedMatchers = LabelMatcher.parseAll(matchers);
        }
        return LabelMatcher.all(parsedMatchers, labels);
    }

    /** {@code active}, {@code pending} or {@code expired} at this time, as {@code vigil silence list} shows it. */
    public String state(long now) {
        if (now >= endsAt) {
            return "expired";
        }
        if (now < startsAt) {
            return "pending";
        }
        return timeZone == null || covers(now) ? "active" : "recurring (not in a window now)";
    }

    private static Set<DayOfWeek> weekdayRange(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length > 2) {
            throw new IllegalArgumentException("weekday range '" + text + "' is not 'monday' or 'monday:friday'");
        }
        DayOfWeek from = weekday(parts[0]);
        DayOfWeek to = parts.length == 2 ? weekday(parts[1]) : from;
        Set<DayOfWeek> out = EnumSet.noneOf(DayOfWeek.class);
        for (DayOfWeek d = from; ; d = d.plus(1)) {
            out.add(d);
            if (d == to) {
                return out;
            }
        }
    }

    private static DayOfWeek weekday(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (DayOfWeek d : DayOfWeek.values()) {
            String name = d.name().toLowerCase(Locale.ROOT);
            if (name.equals(t) || t.length() == 3 && name.startsWith(t)) {
                return d;
            }
        }
        throw new IllegalArgumentException(
                "'" + text + "' is not a weekday (monday ... sunday, or mon ... sun; ranges as monday:friday)");
    }

    /** "HH:MM-HH:MM" as minutes of the day {start, end}; end may be 24:00. */
    private static int[] timeRange(String text) {
        String[] parts = text.split("-", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("time range '" + text + "' is not HH:MM-HH:MM, like 22:00-02:00");
        }
        int start = minutes(parts[0], text);
        int end = minutes(parts[1], text);
        if (start == end || start == 24 * 60) {
            throw new IllegalArgumentException("time range '" + text + "' is empty or starts at 24:00");
        }
        return new int[] {start, end};
    }

    private static int minutes(String hhmm, String range) {
        if (!hhmm.trim().matches("\\d{2}:\\d{2}")) {
            throw new IllegalArgumentException("time range '" + range + "': '" + hhmm + "' is not HH:MM");
        }
        int h = Integer.parseInt(hhmm.trim().substring(0, 2));
        int m = Integer.parseInt(hhmm.trim().substring(3));
        if (h > 24 || m > 59 || h == 24 && m > 0) {
            throw new IllegalArgumentException("time range '" + range + "': '" + hhmm + "' is not a time of day");
        }
        return h * 60 + m;
    }

    static String instant(long t) {
        return t == Long.MIN_VALUE
                ? "-"
                : t == Long.MAX_VALUE ? "never" : Instant.ofEpochMilli(t).toString();
    }

    /** The JSON shape (topic value, file entry). */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder({"id", "matchers", "starts_at", "ends_at", "recurring", "created_by", "comment"})
    static final class Json {
        public String id;
        public List<String> matchers;

        @JsonProperty("starts_at")
        public String startsAt;

        @JsonProperty("ends_at")
        public String endsAt;

        @JsonProperty("created_by")
        public String createdBy;

        public String comment;
        public Recurring recurring;
    }

    /** The recurring window's JSON shape. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    static final class Recurring {
        @JsonProperty("time_zone")
        public String timeZone;

        public List<String> weekdays;
        public List<String> times;
    }

    /** From the JSON shape; validated. */
    static Silence of(Json j) {
        Silence s = new Silence();
        s.id = j.id;
        s.matchers = j.matchers == null ? new ArrayList<>() : new ArrayList<>(j.matchers);
        s.startsAt = j.startsAt == null ? Long.MIN_VALUE : parseInstant(j.startsAt, "starts_at", j.id);
        s.endsAt = j.endsAt == null ? Long.MAX_VALUE : parseInstant(j.endsAt, "ends_at", j.id);
        s.createdBy = j.createdBy;
        s.comment = j.comment;
        if (j.recurring != null) {
            s.timeZone = j.recurring.timeZone;
            s.weekdays = j.recurring.weekdays == null ? new ArrayList<>() : new ArrayList<>(j.recurring.weekdays);
            s.times = j.recurring.times == null ? new ArrayList<>() : new ArrayList<>(j.recurring.times);
            if (s.timeZone == null) {
                throw new IllegalArgumentException(
                        "silence '" + j.id + "': a recurring window needs time_zone, like Europe/Berlin or UTC");
            }
        }
        return s.validate();
    }

    Json toJsonShape() {
        Json j = new Json();
        j.id = id;
        j.matchers = matchers;
        j.startsAt = startsAt == Long.MIN_VALUE
                ? null
                : Instant.ofEpochMilli(startsAt).toString();
        j.endsAt =
                endsAt == Long.MAX_VALUE ? null : Instant.ofEpochMilli(endsAt).toString();
        j.createdBy = createdBy;
        j.comment = comment;
        if (timeZone != null) {
            j.recurring = new Recurring();
            j.recurring.timeZone = timeZone;
            j.recurring.weekdays = weekdays;
            j.recurring.times = times;
        }
        return j;
    }

    /** As the silence topic holds it. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(toJsonShape());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a silence as JSON", e);
        }
    }

    /**
     * Reads one silence from JSON and validates it.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static Silence fromJson(String json) {
        try {
            Json j = JSON.readValue(json, Json.class);
            if (j == null) {
                throw new IllegalArgumentException("expected a JSON object with " + FIELDS + ", got null");
            }
            return of(j);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(
                    "unknown field '" + e.getPropertyName() + "' (known fields: " + FIELDS + ")", e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a silence: " + e.getOriginalMessage(), e);
        }
    }

    private static long parseInstant(String text, String field, String id) {
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("silence '" + id + "': " + field + " '" + text
                    + "' is not an ISO-8601 instant like 2026-12-05T22:00:00Z");
        }
    }

    @Override
    public String toString() {
        return id + " " + matchers + " [" + instant(startsAt) + ", " + instant(endsAt) + ")"
                + (timeZone == null ? "" : " " + weekdays + " " + times + " " + timeZone);
    }
}
