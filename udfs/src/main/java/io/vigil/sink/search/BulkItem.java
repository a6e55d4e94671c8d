package io.vigil.sink.search;

/** One document of a bulk request: {@code index} action with an explicit id, so a resend overwrites. */
final class BulkItem {
    final String index;
    final String id;
    final byte[] source;

    BulkItem(String index, String id, byte[] source) {
        this.index = index;
        this.id = id;
        this.source = source;
    }

    /** Its size in the NDJSON body, near enough for batching. */
    int size() {
        return source.length + index.length() + id.length() + 40;
    }
}
