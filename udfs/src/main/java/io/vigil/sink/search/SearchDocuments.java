package io.vigil.sink.search;

import java.io.Serializable;

/**
 * How a stream element becomes a search document: its index, its deterministic id (the same element always gets the
 * same id, so a replay overwrites instead of duplicating) and its JSON source.
 */
public interface SearchDocuments<T> extends Serializable {
    String index(T element);

    String id(T element);

    byte[] source(T element);
}
