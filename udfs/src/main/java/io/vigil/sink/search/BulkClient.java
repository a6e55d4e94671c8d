package io.vigil.sink.search;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.conn.ssl.NoopHostnameVerifier;
import org.apache.http.entity.ContentType;
import org.apache.http.message.BasicHeader;
import org.apache.http.nio.entity.NByteArrayEntity;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.client.RestClientBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends documents with NDJSON {@code _bulk} requests on the low-level REST client (the one client that talks to
 * Elasticsearch 8/9 and OpenSearch 2/3 alike) and sees every document through: a request that fails with 429, 5xx or
 * a connection error is retried whole, a document that fails with 429 or 5xx is retried alone, both with exponential
 * backoff and jitter; a document the server rejects for good (mapping error, bad id, ...) goes to the dead-letter
 * index with the server's reason and its original source. When retries run out, or the dead-letter index itself
 * refuses a document, {@link #deliver} throws: the job then fails and replays from its last checkpoint, so nothing
 * acknowledged is lost.
 *
 * <p>Thread-safe: {@link SearchWriter} runs several {@link #deliver} calls at once on one client (the REST client
 * pools connections; this class keeps no per-call state in fields).
 */
final class BulkClient implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(BulkClient.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory JSON = new JsonFactory();
    private static final ContentType NDJSON = ContentType.create("application/x-ndjson", StandardCharsets.UTF_8);
    private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();
    // The action line, written as bytes around the JSON-escaped index and id: no generator per document.
    private static final byte[] ACTION_START = "{\"index\":{\"_index\":\"".getBytes(StandardCharsets.UTF_8);
    private static final byte[] ACTION_ID = "\",\"_id\":\"".getBytes(StandardCharsets.UTF_8);
    private static final byte[] ACTION_END = "\"}}\n".getBytes(StandardCharsets.UTF_8);

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
            String basic = Base64.getEncoder()
                    .encodeToString((config.username + ":" + config.password).getBytes(StandardCharsets.UTF_8));
            headers.add(new BasicHeader("Authorization", "Basic " + basic));
        }
        SSLContext ssl = config.tls.sslContext(); // null: the JVM's defaults
        RestClientBuilder builder = RestClient.builder(hosts).setDefaultHeaders(headers.toArray(new Header[0]));
        builder.setHttpClientConfigCallback(http -> {
            // One connection per in-flight request and host (the builder's default of 10 per route caps it otherwise).
            http.setMaxConnPerRoute(Math.max(10, config.maxInFlight));
            http.setMaxConnTotal(Math.max(30, config.maxInFlight * hosts.length));
            if (ssl != null) {
                http.setSSLContext(ssl);
            }
            if (config.tls.skipHostnameVerify) {
                http.setSSLHostnameVerifier(NoopHostnameVerifier.INSTANCE);
            }
            return http;
        });
        this.rest = builder.build();
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
                            + " documents unsent; last failure: " + lastFailure + clientCertificateHint(lastFailure));
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
                    throw new IOException(
                            "search: bulk request refused with HTTP " + status + ": " + e.getMessage(), e);
                }
                lastFailure = "HTTP " + status;
                outcome.retried += pending.size();
                continue;
            } catch (IOException e) {
                SSLException tls = tlsFailure(e);
                if (tls != null) {
                    // A certificate the client does not trust (or a name it does not match) will not change on retry.
                    throw new IOException(
                            "search: TLS with " + config.hosts + " failed: " + tls.getMessage()
                                    + "; check " + config.tls.key("ca-cert")
                                    + " (the CA that signed the cluster's certificate), "
                                    + config.tls.key("client-cert") + "/" + config.tls.key("client-key")
                                    + " if the cluster "
                                    + "wants a client certificate, and that the URL's host is named in its certificate",
                            e);
                }
                lastFailure = e.toString();
                outcome.retried += pending.size();
                continue;
            }
            if (response == null) { // "errors": false
                for (BulkItem item : pending) {
                    if (!item.index.equals(config.deadLetterIndex())) {
                        outcome.indexed++;
                    }
                }
                break;
            }
            List<BulkItem> next = new ArrayList<>();
            List<String> rejections = new ArrayList<>();
            JsonNode results = response;
            if (results.size() != pending.size()) {
                throw new IOException(
                        "search: bulk answer has " + results.size() + " items for " + pending.size() + " documents");
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
                    lastFailure = "HTTP " + status + " "
                            + r.path("error").path("type").asText("") + " for " + item.index + "/" + item.id;
                    outcome.retried++;
                } else if (item.index.equals(config.deadLetterIndex())) {
                    throw new IOException("search: the dead-letter index refused " + item.id + ": " + r.path("error"));
                } else {
                    next.add(deadLetter(item, status, r.path("error")));
                    rejections.add(item.index + "/" + item.id + " HTTP " + status + " "
                            + r.path("error").path("type").asText() + ": "
                            + r.path("error").path("reason").asText());
                    outcome.deadLettered++;
                }
            }
            if (!rejections.isEmpty()) {
                LOG.warn(
                        "search: {} documents rejected, written to {} with the reason (first: {})",
                        rejections.size(),
                        config.deadLetterIndex(),
                        rejections.get(0));
            }
            pending = next;
        }
        return outcome;
    }

    /**
     * POSTs the items and returns the answer's {@code items}, or null when the answer says {@code "errors":false}
     * (every item indexed): then only the head of the answer is parsed, not one object per document.
     */
    private JsonNode send(List<BulkItem> items) throws IOException {
        int size = 0;
        for (BulkItem item : items) {
            size += item.size();
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(size + 64);
        for (BulkItem item : items) {
            body.write(ACTION_START);
            body.write(ENCODER.quoteAsUTF8(item.index));
            body.write(ACTION_ID);
            body.write(ENCODER.quoteAsUTF8(item.id));
            body.write(ACTION_END);
            body.write(item.source);
            body.write('\n');
        }
        Request request = new Request("POST", "/_bulk");
        if (config.refresh) {
            request.addParameter("refresh", "true");
        }
        request.setEntity(new NByteArrayEntity(body.toByteArray(), NDJSON));
        Response response = rest.performRequest(request);
        byte[] answer = EntityUtils.toByteArray(response.getEntity());
        // Elasticsearch and OpenSearch write "took" and "errors" before "items".
        try (JsonParser p = JSON.createParser(answer)) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME && !"items".equals(p.currentName())) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if ("errors".equals(field) && value == JsonToken.VALUE_FALSE) {
                        return null;
                    }
                    p.skipChildren();
                }
            }
        }
        return MAPPER.readTree(answer).path("items");
    }

    /**
     * Under TLS 1.3 a server that wants a client certificate and gets none closes the connection after the handshake,
     * which the client sees only as a closed connection, or a reset one when the close races the first request (seen
     * in CI): say what that likely means.
     */
    private String clientCertificateHint(String failure) {
        boolean https = config.hosts.stream().anyMatch(h -> h.startsWith("https:"));
        boolean certificate = config.tls.clientCert != null || config.tls.keystore != null;
        boolean closed = failure.contains("Connection is closed") || failure.contains("Connection reset");
        return https && !certificate && closed
                ? " (if the cluster wants client certificates, give " + config.tls.key("client-cert") + " and "
                        + config.tls.key("client-key") + " or " + config.tls.key("keystore") + ")"
                : "";
    }

    private static SSLException tlsFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException) {
                return (SSLException) t;
            }
        }
        return null;
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
                reason += " (caused by " + cause.path("type").asText() + ": "
                        + cause.path("reason").asText() + ")";
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
        String rest =
                index.startsWith(config.indexPrefix + "-") ? index.substring(config.indexPrefix.length() + 1) : index;
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
