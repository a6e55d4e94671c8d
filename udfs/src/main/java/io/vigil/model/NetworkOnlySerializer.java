package io.vigil.model;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The common part of the hand-written serializers of records that only cross the network and are never kept in state
 * ({@link io.vigil.detect.Routed}, {@link io.vigil.rollup.RollupEvent}, {@link Ingested}): stateless, so one instance
 * serves every thread (one that keeps state, as the routed records' does, duplicates itself); records of variable
 * length, never reused. A subclass writes and reads the record, copies it (whole, or not at all for a record never
 * changed once emitted, which then says it is immutable), and gives Flink the snapshot it asks every serializer for.
 */
public abstract class NetworkOnlySerializer<T> extends TypeSerializer<T> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<T> duplicate() {
        return this; // stateless; a subclass with state returns a new instance
    }

    @Override
    public T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public T deserialize(T reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public boolean equals(Object obj) {
        return obj != null && obj.getClass() == getClass();
    }

    @Override
    public int hashCode() {
        return getClass().hashCode();
    }
}
