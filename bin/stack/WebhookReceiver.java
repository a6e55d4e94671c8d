import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The local stack's webhook receiver: appends the body of every POST (Alertmanager's notifications, or Vigil's own
 * webhook output) as one line to a JSON-lines file, with the signature header if there is one, and answers 200.
 * Written in Java, run as a single source file like OpenSearchNode.java, because the stack's only runtime is the JDK:
 * Debian has no small package that answers HTTP and keeps request bodies (netcat answers one connection, and the
 * python3 on PATH may be one without the standard setup).
 *
 * <p>Usage: {@code java WebhookReceiver.java <port> <file.jsonl>}
 */
public final class WebhookReceiver {
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        Path file = Path.of(args[1]);
        Files.createDirectories(file.toAbsolutePath().getParent());
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", exchange -> {
            int status = 405;
            if ("POST".equals(exchange.getRequestMethod())) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).strip();
                // JSON keeps newlines inside strings escaped, so outside them they are only whitespace.
                String line = body.replace('\n', ' ').replace('\r', ' ');
                String signature = exchange.getRequestHeaders().getFirst("X-Vigil-Signature");
                if (signature != null && line.startsWith("{")) {
                    line = "{\"receivedSignature\":\"" + signature.replace("\"", "") + "\"," + line.substring(1);
                }
                synchronized (WebhookReceiver.class) {
                    Files.writeString(file, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
                status = 200;
            } else if ("GET".equals(exchange.getRequestMethod())) {
                status = 200; // readiness
            }
            exchange.sendResponseHeaders(status, -1);
            try (OutputStream ignored = exchange.getResponseBody()) {
                // no body
            }
        });
        server.start();
        System.out.println("vigil: webhook receiver ready on 127.0.0.1:" + port + ", appending to " + file);
    }
}
