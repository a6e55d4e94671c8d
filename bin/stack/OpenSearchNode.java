// A single-node OpenSearch 2.19 server from Maven jars, for the local stack (bin/stack.sh, service `opensearch`).
// Run with Java's source launcher on the `opensearch` classpath of bin/stack/pom.xml:
//   java -cp <classpath> bin/stack/OpenSearchNode.java <home> <http port> <transport port>
// There is no OpenSearch distribution on Maven Central, and its test framework refuses to run as root, so this
// subclasses Node (whose protected constructor takes the plugin classes a distribution would load from modules/).

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.transport.Netty4Plugin;

public class OpenSearchNode extends Node {
    OpenSearchNode(Environment env) {
        super(
                env,
                List.of(Netty4Plugin.class, CommonAnalysisPlugin.class, PainlessPlugin.class, ReindexPlugin.class),
                true);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: OpenSearchNode <home> <http port> <transport port>");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(home.resolve("config"));
        Settings settings = Settings.builder()
                .put("cluster.name", "vigil")
                .put("node.name", "vigil-1")
                .put("path.home", home.toString())
                .put("path.data", home.resolve("data").toString())
                .put("path.logs", home.resolve("logs").toString())
                .put("network.host", "127.0.0.1")
                .put("http.port", args[1])
                .put("transport.port", args[2])
                .put("discovery.type", "single-node")
                // A shared developer disk is often past the default watermarks, which would leave shards unassigned.
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .build();
        Environment env = InternalSettingsPreparer.prepareEnvironment(
                settings, Map.of(), home.resolve("config"), () -> "vigil-1");
        Node node = new OpenSearchNode(env).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            }
            stopped.countDown();
        }));
        // A single node keeps no replicas; as a node setting this is ignored, so set it on the cluster.
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + args[1] + "/_cluster/settings"))
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(
                                "{\"persistent\":{\"cluster.default_number_of_replicas\":0}}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            System.err.println(
                    "cannot set cluster.default_number_of_replicas: HTTP " + r.statusCode() + " " + r.body());
            System.exit(1);
        }
        System.out.println("vigil: OpenSearch node ready on http://127.0.0.1:" + args[1]);
        stopped.await();
    }
}
