package io.vigil.detect;

import java.util.List;

/** The comparison operators rules use between an observed value and a bound. */
public enum Comparison {
    GT(">"),
    GTE(">="),
    LT("<"),
    LTE("<="),
    EQ("=="),
    NE("!=");

    public static final List<String> SYMBOLS = List.of(">", ">=", "<", "<=", "==", "!=");

    public final String symbol;

    Comparison(String symbol) {
        this.symbol = symbol;
    }

    public boolean holds(double observed, double bound) {
        switch (this) {
            case GT:
                return observed > bound;
            case GTE:
                return observed >= bound;
            case LT:
                return observed < bound;
            case LTE:
                return observed <= bound;
            case EQ:
                return observed == bound;
            default:
                return observed != bound;
        }
    }

    /** True when larger observed values are worse, so the largest records are the best evidence. */
    public boolean upward() {
        return this == GT || this == GTE || this == NE || this == EQ;
    }

    public static Comparison of(String symbol) {
        for (Comparison c : values()) {
            if (c.symbol.equals(symbol)) {
                return c;
            }
        }
        return null;
    }
}
