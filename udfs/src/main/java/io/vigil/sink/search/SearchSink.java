package io.vigil.sink.search;

import io.vigil.incident.Incident;
import io.vigil.model.Alert;
import io.vigil.model.Rollup;
import java.io.IOException;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A Flink Sink V2 that indexes elements into Elasticsearch 8/9 or OpenSearch 2/3 with NDJSON {@code _bulk}.
 * At-least-once: every buffered document is sent and acknowledged before a checkpoint completes, and document ids
 * are deterministic, so the documents replayed after a failure overwrite themselves instead of duplicating.
 * Rejected documents go to the dead-letter index with the server's reason (see {@link BulkClient}). Several bulk
 * requests may be in flight at once, bounded, with the last version of a document always winning (see
 * {@link SearchWriter}).
 */
public class SearchSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    private final SearchConfig config;
    private final SearchDocuments<T> documents;

    public SearchSink(SearchConfig config, SearchDocuments<T> documents) {
        this.config = config.validate();
        this.documents = documents;
    }

    /** Alerts into {@code <prefix>-alerts-yyyy.MM.dd}, id = alert id. */
    public static SearchSink<Alert> alerts(SearchConfig config) {
        return new SearchSink<>(config, new AlertDocuments(config.indexPrefix));
    }

    /** Rollups into {@code <prefix>-rollups-yyyy.MM.dd}, id = series id @ window start. */
    /** Incidents in {@code <prefix>-incidents-yyyy.MM.dd}; each revision overwrites the incident's document. */
    public static SearchSink<Incident> incidents(SearchConfig config) {
        return new SearchSink<>(config, new IncidentDocuments(config.indexPrefix));
    }

    public static SearchSink<Rollup> rollups(SearchConfig config) {
        return new SearchSink<>(config, new RollupDocuments(config.indexPrefix));
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        return new SearchWriter<>(config, documents, context);
    }
}
