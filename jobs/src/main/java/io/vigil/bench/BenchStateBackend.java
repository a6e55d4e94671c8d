package io.vigil.bench;

/**
 * Where a benchmark's keyed state lives: on the heap, or in RocksDB as on the cluster, where every state access is a
 * serialization round trip.
 */
enum BenchStateBackend {
    heap("hashmap"),
    rocksdb("rocksdb");

    /** The name Flink's {@code state.backend.type} takes. */
    final String flinkName;

    BenchStateBackend(String flinkName) {
        this.flinkName = flinkName;
    }
}
