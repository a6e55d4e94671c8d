package io.vigil.testing;

import org.apache.flink.api.common.state.ValueState;

/** A value state for unit tests: it holds the object last stored, as the heap backend and the state cache do. */
public final class InMemoryValueState<T> implements ValueState<T> {
    /** The value now (null when cleared), for tests to read or set. */
    public T value;

    @Override
    public T value() {
        return value;
    }

    @Override
    public void update(T v) {
        value = v;
    }

    @Override
    public void clear() {
        value = null;
    }
}
