package io.vigil.rules.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * Expands promtool's compact series notation: {@code "1+1x3"} is 1 2 3 4, {@code "5x2"} is 5 5 5, {@code "10-2x2"} is
 * 10 8 6, {@code "_"} is a missing sample and {@code "_x3"} four of them. Tokens are separated by spaces.
 */
public final class SeriesNotation {
    private SeriesNotation() {}

    /** The samples; null elements are missing samples. */
    public static List<Double> expand(String text) {
        List<Double> out = new ArrayList<>();
        for (String tok : text.trim().split("\\s+")) {
            if (tok.isEmpty()) {
                continue;
            }
            int x = tok.lastIndexOf('x');
            long times = 0;
            String head = tok;
            if (x > 0) {
                try {
                    times = Long.parseLong(tok.substring(x + 1));
                } catch (NumberFormatException e) {
                    throw bad(tok);
                }
                head = tok.substring(0, x);
            }
            if (head.equals("_")) {
                for (long i = 0; i <= times; i++) {
                    out.add(null);
                }
                continue;
            }
            int op = Math.max(head.lastIndexOf('+'), head.lastIndexOf('-'));
            double start;
            double step = 0;
            try {
                if (op > 0 && x > 0 && head.charAt(op - 1) != 'e' && head.charAt(op - 1) != 'E') {
                    start = Double.parseDouble(head.substring(0, op));
                    step = Double.parseDouble(head.substring(op));
                } else {
                    start = Double.parseDouble(head);
                }
            } catch (NumberFormatException e) {
                throw bad(tok);
            }
            for (long i = 0; i <= times; i++) {
                out.add(start + step * i);
            }
        }
        return out;
    }

    private static IllegalArgumentException bad(String tok) {
        return new IllegalArgumentException(
                "bad series token '" + tok + "'; expected e.g. 5, 1+1x3, 10-2x2, 5x4, _ or _x3");
    }
}
