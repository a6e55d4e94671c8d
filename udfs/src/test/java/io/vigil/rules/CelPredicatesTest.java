package io.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vigil.model.Signal;
import io.vigil.model.Telemetry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Differential tests of {@link CelPredicates}: on every record, a translated predicate and the CEL interpreter give
 * the same boolean, or both fail.
 */
class CelPredicatesTest {
    /** One of each translated form, with literals on either side. */
    static final List<String> TRANSLATED = List.of(
            "service == 'checkout'",
            "'checkout' == service",
            "service != 'checkout'",
            "name < 'b'",
            "'b' <= name",
            "body > ''",
            "status >= 'ok'",
            "duration_ms > 250.0",
            "duration_ms > 250",
            "250 < duration_ms",
            "duration_ms <= -0.0",
            "duration_ms == -0.0",
            "duration_ms != 0.0",
            "duration_ms >= 9223372036854775807",
            "value < -9223372036854775807",
            "count == 250",
            "count >= 1.5",
            "1.5 > count",
            "severity_number <= 9",
            "timestamp > 0",
            "sum == max",
            "min < count",
            "count != timestamp",
            "attributes['k'] == 'a'",
            "'a' != attributes['k']",
            "resource['service.name'] == service",
            "attributes.k == 'a'",
            "attributes['k'] < resource['k']",
            "signal in ['span', 'log']",
            "attributes['k'] in ['a', 'ab', '']",
            "count in [0, 1, 250]",
            "duration_ms in [0.0, 250.0]",
            "service in []",
            "'k' in attributes",
            "attributes['k'] in resource",
            "has(attributes.k)",
            "!has(resource.k)",
            "attributes['k'].startsWith('a')",
            "name.endsWith('b')",
            "body.contains(attributes['k'])",
            "attributes['k'].matches('^/api')",
            "name.matches(r'\\d+')",
            "body.matches('[[:alpha:]]+b')",
            "attributes['k'].matches('')",
            "matches(service, 'out$')",
            "service == 'checkout' && duration_ms > 250.0",
            "attributes['k'] == 'a' && count > 0",
            "count > 0 && attributes['k'] == 'a'",
            "attributes['k'] == 'a' || count > 0",
            "count > 0 || attributes['k'] == 'a'",
            "!(attributes['k'] == 'a')",
            "(service == 'a' || service == 'b') && !(name == 'x' || has(attributes.k))",
            "'k' in attributes && attributes['k'].startsWith('/api')",
            "(duration_ms > 1.0) == true",
            "(attributes['k'] == 'a') != (count > 0)",
            "false < has(attributes.k)",
            "has(attributes.k) ? attributes['k'] == 'a' : true",
            "true",
            "attributes['k'] == 'a' && attributes['code'] == 'b' && count > 0");

    /** Forms left to the interpreter as a whole. */
    static final List<String> INTERPRETED = List.of(
            "size(name) > 3",
            "int(attributes['code']) >= 500",
            "attributes[?'k'].orValue('') == 'v'",
            "attributes.exists(k, k.startsWith('h'))",
            "duration_ms * 2.0 > 10.0",
            "name.lowerAscii() == 'x'",
            "duration_ms > 1u",
            "name.matches(body)",
            "name.matches('(')",
            "service in [name, 'a']",
            "size(name) > 3 && int(attributes['code']) > 1");

    /** Forms the interpreter runs behind a prefilter: the translatable operands of a top-level && or ||. */
    static final List<String> PREFILTERED = List.of(
            "kind == 'server' && int(attributes[?'http.response.status_code'].orValue('0')) >= 500",
            "service == 'a' && size(attributes) > 0",
            "size(name) > 3 || attributes['k'] == 'a'",
            "attributes['k'] == 'a' && size(name) > 1 && count > 0",
            "has(attributes.k) || name.lowerAscii() == 'x' || duration_ms > 1.0");

    /** Operands the interpreter must run, for random prefiltered expressions. */
    static final List<String> UNTRANSLATED = List.of(
            "size(name) > 1",
            "int(attributes['code']) > 100",
            "attributes[?'k'].orValue('') == 'a'",
            "duration_ms / 0.0 > 1.0",
            "count / 0 > 1");

    private static Optional<CelPredicates.Verdict> translate(String expression) {
        assertEquals(List.of(), messages(expression), expression);
        return CelPredicates.translate(CelEnvironment.checked(expression));
    }

    private static List<String> messages(String expression) {
        List<String> out = new ArrayList<>();
        for (CelEnvironment.Issue i : CelEnvironment.check(expression)) {
            out.add(i.message);
        }
        return out;
    }

    @Test
    void commonFormsAreTranslatedAndTheRestLeftToTheInterpreter() {
        for (String e : TRANSLATED) {
            assertTrue(translate(e).isPresent(), "should be translated: " + e);
            assertTrue(new CelCondition(e).translated(), e);
        }
        for (String e : INTERPRETED) {
            assertFalse(translate(e).isPresent(), "should be left to the interpreter: " + e);
            assertFalse(new CelCondition(e).translated(), e);
        }
        assertFalse(CelCondition.interpreted("service == 'a'").translated());
        for (String e : INTERPRETED) {
            assertFalse(new CelCondition(e).prefiltered(), "should have no prefilter: " + e);
        }
        for (String e : PREFILTERED) {
            assertFalse(translate(e).isPresent(), "should not be translated whole: " + e);
            assertTrue(new CelCondition(e).prefiltered(), "should have a prefilter: " + e);
        }
    }

    @Test
    void aPrefilterDecidesOnlyRecordsTheInterpreterDecidesTheSameWay() {
        Random r = new Random(13);
        List<Telemetry> records = records(r, 200);
        List<String> expressions = new ArrayList<>(PREFILTERED);
        for (int i = 0; i < 200; i++) {
            String untranslated = UNTRANSLATED.get(r.nextInt(UNTRANSLATED.size()));
            String translated = new Generator(r).bool(2);
            String op = r.nextBoolean() ? " && " : " || ";
            expressions.add(
                    r.nextBoolean() ? translated + op + untranslated : untranslated + op + "(" + translated + ")");
        }
        int decidedSome = 0;
        for (String e : expressions) {
            if (!CelEnvironment.check(e).isEmpty()) {
                continue;
            }
            CelPredicates.Verdict v = CelPredicates.prefilter(CelEnvironment.checked(e))
                    .orElseThrow(() -> new AssertionError("no prefilter for " + e));
            CelCondition reference = CelCondition.interpreted(e);
            CelCondition condition = new CelCondition(e);
            int decided = 0;
            for (Telemetry t : records) {
                int got = v.eval(t);
                if (got == CelPredicates.UNDECIDED) {
                    continue;
                }
                decided++;
                boolean want;
                try {
                    want = reference.test(t);
                } catch (CelCondition.ConditionException ex) {
                    throw new AssertionError(
                            e + ": the prefilter decided " + got + " where CEL fails on " + describe(t));
                }
                assertEquals(want ? CelPredicates.TRUE : CelPredicates.FALSE, got, e + " on " + describe(t));
                assertEquals(want, condition.test(t), e);
            }
            decidedSome += decided > 0 ? 1 : 0;
        }
        assertTrue(decidedSome > expressions.size() / 2, "prefilters decided too rarely: " + decidedSome);
    }

    @Test
    void everyTranslatedFormAgreesWithTheInterpreterOnRandomRecords() {
        Random r = new Random(7);
        List<Telemetry> records = records(r, 600);
        for (String e : TRANSLATED) {
            assertAgree(e, translate(e).orElseThrow(), records);
        }
    }

    @Test
    void randomExpressionsOverTheTranslatedGrammarAgreeWithTheInterpreter() {
        Random r = new Random(11);
        List<Telemetry> records = records(r, 200);
        int translated = 0;
        int rejected = 0;
        for (int i = 0; i < 800; i++) {
            String e = new Generator(r).bool(3);
            if (!CelEnvironment.check(e).isEmpty()) {
                rejected++; // e.g. a string compared with a number: the type checker's business, not ours
                continue;
            }
            Optional<CelPredicates.Verdict> v = CelPredicates.translate(CelEnvironment.checked(e));
            if (v.isEmpty()) {
                fail("the generator only writes translated forms, but this was not: " + e);
            }
            assertAgree(e, v.get(), records);
            translated++;
        }
        assertTrue(translated > 400, "too few expressions type-checked: " + translated + ", rejected " + rejected);
    }

    @Test
    void aTranslatedConditionReportsCelsOwnErrorOnAMissingKey() {
        CelCondition c = new CelCondition("attributes['k'] == 'a'");
        assertTrue(c.translated());
        Telemetry t = Telemetry.span(1, "checkout", "n", 1.0, "ok");
        CelCondition.ConditionException e = assertThrows(CelCondition.ConditionException.class, () -> c.test(t));
        CelCondition.ConditionException reference = assertThrows(
                CelCondition.ConditionException.class,
                () -> CelCondition.interpreted(c.expression()).test(t));
        assertEquals(reference.getMessage(), e.getMessage());
        assertFalse(new CelCondition("count > 5 && attributes['k'] == 'a'").test(t)); // false absorbs the error
    }

    private static void assertAgree(String expression, CelPredicates.Verdict v, List<Telemetry> records) {
        CelCondition reference = CelCondition.interpreted(expression);
        int[] seen = new int[3];
        for (Telemetry t : records) {
            int got = v.eval(t);
            seen[got]++;
            String want;
            try {
                want = reference.test(t) ? "true" : "false";
            } catch (CelCondition.ConditionException e) {
                want = "error";
            }
            String have = got == CelPredicates.TRUE ? "true" : got == CelPredicates.FALSE ? "false" : "error";
            if (!want.equals(have)) {
                fail(expression + ": interpreter says " + want + ", translation says " + have + " on " + describe(t));
            }
        }
    }

    private static String describe(Telemetry t) {
        return "{service=" + (t.resource == null ? null : t.resource.get("service.name")) + ", resource="
                + t.resource + ", attributes=" + t.attributes + ", name=" + t.name + ", body=" + t.body
                + ", duration_ms=" + t.durationMs + ", value=" + t.value + ", count=" + t.count + ", sum=" + t.sum
                + ", max=" + t.max + ", min=" + t.min + ", severity_number=" + t.severityNumber + "}";
    }

    static final String[] TEXTS = {
        "", "a", "ab", "b", "/api/x", "/health", "checkout", "out", "é", "\uD83D\uDE00", "123"
    };
    static final double[] DOUBLES = {
        0.0,
        -0.0,
        Double.NaN,
        Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY,
        1.0,
        1.5,
        250.0,
        250.5,
        -1.0,
        9.223372036854775807E18,
        -9.223372036854775808E18,
        1e19,
        Double.MIN_VALUE
    };
    static final long[] LONGS = {0, 1, -1, 9, 250, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1};
    static final String[] KEYS = {"k", "code", "service.name"};

    /** Records with and without the keys, with empty texts, boundary numbers and NaN. */
    static List<Telemetry> records(Random r, int n) {
        List<Telemetry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Telemetry t = new Telemetry();
            t.signal = r.nextInt(5) == 0 ? null : Signal.values()[r.nextInt(Signal.values().length)];
            t.timestamp = pick(r, LONGS);
            t.resource = r.nextInt(10) == 0 ? null : map(r);
            t.attributes = r.nextInt(10) == 0 ? null : map(r);
            t.name = text(r);
            t.body = text(r);
            t.status = text(r);
            t.severity = text(r);
            t.unit = text(r);
            t.kind = text(r);
            t.traceId = text(r);
            t.spanId = text(r);
            t.parentSpanId = text(r);
            t.durationMs = pick(r, DOUBLES);
            t.value = pick(r, DOUBLES);
            t.sum = pick(r, DOUBLES);
            t.min = pick(r, DOUBLES);
            t.max = pick(r, DOUBLES);
            t.count = pick(r, LONGS);
            t.severityNumber = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, pick(r, LONGS)));
            out.add(t);
        }
        return out;
    }

    private static LinkedHashMap<String, String> map(Random r) {
        LinkedHashMap<String, String> m = new LinkedHashMap<>();
        for (String k : KEYS) {
            if (r.nextBoolean()) {
                m.put(k, TEXTS[r.nextInt(TEXTS.length)]);
            }
        }
        return m;
    }

    private static String text(Random r) {
        return r.nextInt(6) == 0 ? null : TEXTS[r.nextInt(TEXTS.length)];
    }

    private static double pick(Random r, double[] a) {
        return a[r.nextInt(a.length)];
    }

    private static long pick(Random r, long[] a) {
        return a[r.nextInt(a.length)];
    }

    /** Random CEL text over the translated grammar (boolean expressions of the forms in {@link #TRANSLATED}). */
    static final class Generator {
        private static final String[] STRING_VARS = {
            "service",
            "signal",
            "name",
            "unit",
            "metric_type",
            "severity",
            "body",
            "trace_id",
            "span_id",
            "parent_span_id",
            "kind",
            "status"
        };
        private static final String[] DOUBLE_VARS = {"value", "sum", "min", "max", "duration_ms"};
        private static final String[] INT_VARS = {"timestamp", "count", "severity_number"};
        private static final String[] OPS = {"==", "!=", "<", "<=", ">", ">="};
        private static final String[] REGEXES = {"^/api", "a+b?", "\\\\d+", "é", "(?i)AB", "[[:alpha:]]", "x*", "^$"};
        private static final String[] NUMBERS = {
            "0",
            "1",
            "-1",
            "250",
            "9223372036854775807",
            "-9223372036854775807",
            "0.0",
            "-0.0",
            "1.5",
            "250.0",
            "1e19",
            "-1e300",
            "9.223372036854775807e18"
        };

        private final Random r;

        Generator(Random r) {
            this.r = r;
        }

        String bool(int depth) {
            int choice = r.nextInt(depth > 0 ? 14 : 9);
            switch (choice) {
                case 0:
                    return text() + " " + op() + " " + text();
                case 1:
                    return number() + " " + op() + " " + number();
                case 2:
                    return text() + " in [" + list(this::stringLiteral) + "]";
                case 3:
                    return numberOperand() + " in [" + list(() -> NUMBERS[r.nextInt(NUMBERS.length)]) + "]";
                case 4:
                    return text() + " in " + map();
                case 5:
                    return "has(" + map() + "." + (r.nextBoolean() ? "k" : "code") + ")";
                case 6: {
                    String[] fns = {"startsWith", "endsWith", "contains"};
                    return text() + "." + fns[r.nextInt(3)] + "(" + text() + ")";
                }
                case 7:
                    return text() + ".matches('" + REGEXES[r.nextInt(REGEXES.length)] + "')";
                case 8:
                    return r.nextBoolean() ? "true" : "false";
                case 9:
                    return "(" + bool(depth - 1) + " && " + bool(depth - 1) + ")";
                case 10:
                    return "(" + bool(depth - 1) + " || " + bool(depth - 1) + ")";
                case 11:
                    return "!(" + bool(depth - 1) + ")";
                case 12:
                    return "(" + bool(depth - 1) + ") " + op() + " (" + bool(depth - 1) + ")";
                default:
                    return "(" + bool(depth - 1) + " ? " + bool(depth - 1) + " : " + bool(depth - 1) + ")";
            }
        }

        private String op() {
            return OPS[r.nextInt(OPS.length)];
        }

        private String map() {
            return r.nextBoolean() ? "attributes" : "resource";
        }

        private String text() {
            switch (r.nextInt(4)) {
                case 0:
                    return STRING_VARS[r.nextInt(STRING_VARS.length)];
                case 1:
                    return map() + "['" + KEYS[r.nextInt(KEYS.length)] + "']";
                case 2:
                    return map() + "." + (r.nextBoolean() ? "k" : "code");
                default:
                    return stringLiteral();
            }
        }

        private String stringLiteral() {
            return "'" + TEXTS[r.nextInt(TEXTS.length)] + "'";
        }

        private String numberOperand() {
            return r.nextBoolean() ? DOUBLE_VARS[r.nextInt(DOUBLE_VARS.length)] : INT_VARS[r.nextInt(INT_VARS.length)];
        }

        private String number() {
            return r.nextInt(3) == 0 ? NUMBERS[r.nextInt(NUMBERS.length)] : numberOperand();
        }

        private String list(java.util.function.Supplier<String> item) {
            int n = r.nextInt(4);
            List<String> items = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                items.add(item.get());
            }
            return String.join(", ", items);
        }
    }
}
