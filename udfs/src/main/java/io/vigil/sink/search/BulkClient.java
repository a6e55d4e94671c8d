package io.vigil.sink.search;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.entity.ContentType;
import org.apache.http.message.BasicHeader;
import org.apache.http.nio.entity.NByteArrayEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sends documents with NDJSON {@code _bulk} requests on the low-level REST client (the one client that talks to
 * Elasticsearch 8/9 and OpenSearch 2/3 alike) and sees every document through: a request that fails with 429, 5xx or
 * a connection error is retried whole, a document that fails with 429 or 5xx is retried alone, both with exponential
 * backoff and jitter; a document the server rejects for good (mapping error, bad id, ...) goes to the dead-letter
 * index with the server's reason and its original source. When retries run out, or the dead-letter index itself
 * refuses a document, {@link #deliver} throws: the job then fails and replays from its last checkpoint, so nothing
 * acknowledged is lost.
 */
final class BulkClient implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(BulkClient.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory JSON = new JsonFactory();
    private static final ContentType NDJSON = ContentType.create("application/x-ndjson", StandardCharsets.UTF_8);

    /** What one {@link #deliver} did. */
    static final class Outcome {
        int indexed;
        int retried;
        int deadLettered;
        int requests;
    }

    private final SearchConfig config;
    private final RestClient rest;

    BulkClient(SearchConfig config) {
        this.config = config;
        HttpHost[] hosts = config.hosts.stream().map(HttpHost::create).toArray(HttpHost[]::new);
        List<Header> headers = new ArrayList<>();
        if (config.apiKey != null) {
            headers.add(new BasicHeader("Authorization", "ApiKey " + config.apiKey));
        } else if (config.username != null) {
            String basic = Base64.getEncoder().encodeToString((config.username + ":" + config.password)
                    .getBytes(StandardCharsets.UTF_8));
            headers.add(new BasicHeader("Authorization", "Basic " + basic));
        }
        this.rest = RestClient.builder(hosts).setDefaultHeaders(headers.toArray(new Header[0])).build();
    }

    RestClient rest() {
        return rest;
    }

    /** Sends the items until each is indexed or dead-lettered. */
    Outcome deliver(List<BulkItem> items) throws IOException, InterruptedException {
        Outcome outcome = new Outcome();
        List<BulkItem> pending = new ArrayList<>(items);
        int attempt = 0;
        String lastFailure = null;
        while (!pending.isEmpty()) {
            if (lastFailure != null) {
                if (attempt >= config.maxRetries) {
                    throw new IOException("search: gave up after " + attempt + " retries with " + pending.size()
                            + " documents unsent; last failure: " + lastFailure);
                }
                attempt++;
                Thread.sleep(backoff(attempt));
            }
            lastFailure = null;
            outcome.requests++;
            JsonNode response;
            try {
                response = send(pending);
            } catch (ResponseException e) {
                int status = e.getResponse().getStatusLine().getStatusCode();
                if (!retryable(status)) {
                    throw new IOException("search: bulk request refused with HTTP " + status + ": " + e.getMessage(), e);
                }
                lastFailure = "HTTP " + status;
                outcome.retried += pending.size();
                continue;
            } catch (IOException e) {
                lastFailure = e.toString();
                outcome.retried += pending.size();
                continue;
            }
            List<BulkItem> next = new ArrayList<>();
            List<String> rejections = new ArrayList<>();
            JsonNode results = response.path("items");
            if (results.size() != pending.size()) {
                throw new IOException("search: bulk answer has " + results.size() + " items for " + pending.size()
                        + " documents");
            }
            for (int i = 0; i < pending.size(); i++) {
                BulkItem item = pending.get(i);
                JsonNode r = results.get(i).elements().next(); // {"index": {...}}
                int status = r.path("status").asInt();
                if (status >= 200 && status < 300) {
                    if (!item.index.equals(config.deadLetterIndex())) {
                        outcome.indexed++; // a dead letter was counted when its document was rejected
                    }
                } else if (retryable(status)) {
                    next.add(item);
                    lastFailure = "HTTP " + status + " " + r.path("error").path("type").asText("") + " for "
                            + item.index + "/" + item.id;
                    outcome.retried++;
                } else if (item.index.equals(config.deadLetterIndex())) {
                    throw new IOException("search: the dead-letter index refused " + item.id + ": " + r.path("error"));
                } else {
                    next.add(deadLetter(item, status, r.path("error")));
                    rejections.add(item.index + "/" + item.id + " HTTP " + status + " "
                            + r.path("error").path("type").asText() + ": " + r.path("error").path("reason").asText());
                    outcome.deadLettered++;
                }
            }
            if (!rejections.isEmpty()) {
                LOG.warn("search: {} documents rejected, written to {} with the reason (first: {})",
                        rejections.size(), config.deadLetterIndex(), rejections.get(0));
            }
            pending = next;
        }
        return outcome;
    }

    private JsonNode send(List<BulkItem> items) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream(items.size() * 256);
        for (BulkItem item : items) {
            try (JsonGenerator g = JSON.createGenerator(body)) {
                g.writeStartObject();
                g.writeObjectFieldStart("index");
                g.writeStringField("_index", item.index);
                g.writeStringField("_id", item.id);
                g.writeEndObject();
                g.writeEndObject();
            }
            body.write('\n');
            body.write(item.source);
            body.write('\n');
        }
        Request request = new Request("POST", "/_bulk");
        if (config.refresh) {
            request.addParameter("refresh", "true");
        }
        request.setEntity(new NByteArrayEntity(body.toByteArray(), NDJSON));
        Response response = rest.performRequest(request);
        try (InputStream in = response.getEntity().getContent()) {
            return MAPPER.readTree(in);
        }
    }

    /** The dead-letter document of a rejected one: why, where it was going, and its source verbatim. */
    private BulkItem deadLetter(BulkItem item, int status, JsonNode error) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(item.source.length + 256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("@timestamp", Instant.now().toString());
            g.writeObjectFieldStart("event");
            g.writeStringField("kind", "pipeline_error");
            g.writeStringField("dataset", datasetOf(item.index));
            g.writeStringField("original", new String(item.source, StandardCharsets.UTF_8));
            g.writeEndObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("type", error.path("type").asText("unknown"));
            String reason = error.path("reason").asText("");
            JsonNode cause = error.path("caused_by");
            if (!cause.isMissingNode()) {
                reason += " (caused by " + cause.path("type").asText() + ": " + cause.path("reason").asText() + ")";
            }
            g.writeStringField("message", reason);
            g.writeEndObject();
            g.writeObjectFieldStart("http");
            g.writeObjectFieldStart("response");
            g.writeNumberField("status_code", status);
            g.writeEndObject();
            g.writeEndObject();
            g.writeObjectFieldStart("vigil");
            g.writeStringField("index", item.index);
            g.writeStringField("id", item.id);
            g.writeEndObject();
            g.writeEndObject();
        }
        // Same id for the same rejected document, so a replay does not duplicate its dead letter either.
        return new BulkItem(config.deadLetterIndex(), item.index + "/" + item.id, out.toByteArray());
    }

    private String datasetOf(String index) {
        String rest = index.startsWith(config.indexPrefix + "-") ? index.substring(config.indexPrefix.length() + 1)
                : index;
        int dash = rest.indexOf('-');
        return "vigil." + (dash > 0 ? rest.substring(0, dash) : rest);
    }

    static boolean retryable(int status) {
        return status == 429 || status >= 500;
    }

    private long backoff(int attempt) {
        long base = config.initialBackoff.toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, config.maxBackoff.toMillis());
        return capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    }

    @Override
    public void close() throws IOException {
        rest.close();
    }
}
